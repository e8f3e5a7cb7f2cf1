"""Write a Dataset: reference solution."""

import torch
from torch.utils.data import DataLoader, Dataset


class PairsDataset(Dataset):
    def __init__(self, features, targets):
        self.features = features        # shape [N, n_features]
        self.targets = targets          # shape [N]

    def __len__(self):
        return len(self.features)

    def __getitem__(self, index):
        return self.features[index], self.targets[index]


torch.manual_seed(0)
features = torch.randn(10, 3)                   # 10 samples with 3 features each
targets = (features.sum(dim=1) > 0).long()      # one integer label per sample


if __name__ == "__main__":
    dataset = PairsDataset(features, targets)
    print("len:", len(dataset))
    for i in range(3):
        print(f"dataset[{i}]:", dataset[i])
    xb, yb = next(iter(DataLoader(dataset, batch_size=4)))
    print("a batch:", list(xb.shape), list(yb.shape))

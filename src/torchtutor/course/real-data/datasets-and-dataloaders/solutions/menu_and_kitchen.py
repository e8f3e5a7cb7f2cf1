"""The Dataset that batched itself: reference solution."""

import torch
from torch.utils.data import DataLoader, Dataset

from torchtutor.data import load_dataset


class DigitDataset(Dataset):
    """The menu: one sample per index."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.images)                                  # samples, not chunks

    def __getitem__(self, index):
        image = self.images[index].float().div(255).unsqueeze(0)  # [1, 28, 28] in [0, 1]
        return image, self.labels[index]


def make_loader(dataset):
    return DataLoader(dataset, batch_size=32, shuffle=True)      # the kitchen batches and shuffles


images, labels = load_dataset("mnist", "train", sample=True)
order = torch.argsort(labels, stable=True)       # the colleague's file is sorted by digit
images, labels = images[order], labels[order]


if __name__ == "__main__":
    loader = make_loader(DigitDataset(images, labels))
    xb, yb = next(iter(loader))
    print("images:", list(xb.shape), " labels:", list(yb.shape))
    print("digits in the first batch:", sorted(set(yb.flatten().tolist())))

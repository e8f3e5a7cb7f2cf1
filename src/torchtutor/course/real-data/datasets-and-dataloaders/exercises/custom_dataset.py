"""Write a Dataset: __len__ and __getitem__                            (guided)

A Dataset answers two questions: how many samples it has, and what sample number `i`
is. Finish `PairsDataset`, which holds a tensor of input rows (`features`) and a
tensor of targets, one per row:

1. `__len__(self)`: return the number of samples, as a plain int.
2. `__getitem__(self, index)`: return sample `index` as a pair `(input, target)`:
   row `index` of the features and entry `index` of the targets, in that order.

Use the tensors the Dataset was created with (`self.features`, `self.targets`), not
the example tensors at the bottom of the file: the checker builds its own
`PairsDataset` from other data, reads `len()` and a few samples, and serves it through
a DataLoader.

Done when: `len(dataset)` is the number of rows, `dataset[i]` is
`(features[i], targets[i])` for every `i`, and a DataLoader with batch_size=4 serves
input batches of shape [4, n_features] with targets of shape [4]. Run this file to
print a few samples.
"""

import torch
from torch.utils.data import DataLoader, Dataset


class PairsDataset(Dataset):
    def __init__(self, features, targets):
        self.features = features        # shape [N, n_features]
        self.targets = targets          # shape [N]

    def __len__(self):
        return None  # your code here

    def __getitem__(self, index):
        return None  # your code here


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

"""The Dataset that batched itself                                     (supported)

A colleague wrote the Dataset below "already batched, to save the DataLoader work":
each index returns 32 images at once. Their training script then crashes on the
model's first layer, and the batches are far from random: the digit sample is sorted
by label, and shuffling only reorders whole chunks of 32 neighbours.

Give the menu and the kitchen their own jobs back:

1. Repair `DigitDataset` so that it is a menu: `__len__` is the number of samples and
   `__getitem__(index)` returns ONE sample, `(image, label)`, with the image as float
   in [0, 1] with shape [1, 28, 28] and the label as stored.
2. Repair `make_loader(dataset)` so that the kitchen batches: batches of 32 samples,
   in a new random order every epoch.

The checker builds your `DigitDataset` from images of its own (uint8, shape
[N, 28, 28]) and serves it through your `make_loader`.

Done when: `len()` counts samples, each sample is one [1, 28, 28] image in [0, 1] and
its label, and the loader serves shuffled batches of images [32, 1, 28, 28] and
labels [32]. Run this file to print the first batch and the digits in it.
"""

import torch
from torch.utils.data import DataLoader, Dataset

from torchtutor.data import load_dataset


class DigitDataset(Dataset):
    """The colleague's version: batches of 32 inside the Dataset."""

    def __init__(self, images, labels, chunk=32):
        self.images, self.labels, self.chunk = images, labels, chunk

    def __len__(self):
        return len(self.images) // self.chunk

    def __getitem__(self, index):
        rows = slice(index * self.chunk, (index + 1) * self.chunk)
        return self.images[rows].float().div(255).unsqueeze(1), self.labels[rows]


def make_loader(dataset):
    return DataLoader(dataset, batch_size=1)    # "the Dataset batches already"


images, labels = load_dataset("mnist", "train", sample=True)
order = torch.argsort(labels, stable=True)       # the colleague's file is sorted by digit
images, labels = images[order], labels[order]


if __name__ == "__main__":
    loader = make_loader(DigitDataset(images, labels))
    xb, yb = next(iter(loader))
    print("images:", list(xb.shape), " labels:", list(yb.shape))
    print("digits in the first batch:", sorted(set(yb.flatten().tolist())))

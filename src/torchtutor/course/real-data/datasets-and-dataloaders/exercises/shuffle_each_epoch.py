"""Shuffle for training, order for evaluation                          (guided)

A mini-batch is a poll of the data, and a poll is only fair if it is random. Write
the two loaders every training script needs:

1. `make_train_loader(train_set, batch_size)`: a DataLoader over `train_set` with
   that batch size, serving the samples in a new random order every epoch.
2. `make_eval_loader(eval_set, batch_size)`: a DataLoader over `eval_set` with that
   batch size, serving the samples in their stored order, the same every time.

The checker calls both with Datasets and batch sizes of its own, iterates each loader
for two epochs and looks at the order the samples come out in.

Done when: the training loader serves every sample once per epoch, in a shuffled
order that changes from one epoch to the next; the evaluation loader serves every
sample once per epoch, in order; both use the batch size they were given. Run this
file to see the first batch of two epochs.
"""

import torch
from torch.utils.data import DataLoader, TensorDataset


def make_train_loader(train_set, batch_size):
    return None  # your code here


def make_eval_loader(eval_set, batch_size):
    return None  # your code here


if __name__ == "__main__":
    numbered = TensorDataset(torch.arange(20))          # each sample is its own index
    for name, loader in [("train", make_train_loader(numbered, 5)), ("eval", make_eval_loader(numbered, 5))]:
        for epoch in range(2):
            (first,) = next(iter(loader))
            print(f"{name} epoch {epoch}: first batch {first.tolist()}")

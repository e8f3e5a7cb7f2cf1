"""Shuffle for training, order for evaluation: reference solution."""

import torch
from torch.utils.data import DataLoader, TensorDataset


def make_train_loader(train_set, batch_size):
    return DataLoader(train_set, batch_size=batch_size, shuffle=True)      # a new order every epoch


def make_eval_loader(eval_set, batch_size):
    return DataLoader(eval_set, batch_size=batch_size, shuffle=False)      # stored order, every time


if __name__ == "__main__":
    numbered = TensorDataset(torch.arange(20))          # each sample is its own index
    for name, loader in [("train", make_train_loader(numbered, 5)), ("eval", make_eval_loader(numbered, 5))]:
        for epoch in range(2):
            (first,) = next(iter(loader))
            print(f"{name} epoch {epoch}: first batch {first.tolist()}")

"""The evaluation loop                                                  (supported)

Training changes a model; evaluation measures it and must change nothing. Write the
evaluation loop of the lesson:

`evaluate(model, loader)`: the accuracy of `model` over every sample `loader` serves,
as a Python float between 0 and 1. The loader yields `(images, labels)` batches; the
last batch may be shorter than the others.

Do it the way the lesson did: evaluation mode for the layers, no gradient recording,
correct answers counted over the whole loader and divided once. The model has dropout
and batch norm, so the mode matters.

The checker calls your `evaluate` on models and loaders of its own, watches every
forward pass, and checks that the model (its weights and its batch norm statistics)
is the same afterwards.

Done when: the accuracy is right, the same every time you measure, every forward pass
ran in eval mode without recording gradients, and the model was left unchanged.
Run this file to train a small model for one epoch and evaluate it twice.
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def evaluate(model, loader):
    return None  # your code here


if __name__ == "__main__":
    from torchtutor.data import load_dataset

    def prepare(images):
        return ((images.float() / 255 - 0.1307) / 0.3081).unsqueeze(1)

    train_images, train_labels = load_dataset("mnist", "train", sample=True)
    test_images, test_labels = load_dataset("mnist", "test", sample=True)
    train_loader = DataLoader(TensorDataset(prepare(train_images), train_labels), batch_size=64, shuffle=True)
    test_loader = DataLoader(TensorDataset(prepare(test_images), test_labels), batch_size=300)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        optimizer.step()
    print("test accuracy:", evaluate(model, test_loader))
    print("and again:    ", evaluate(model, test_loader))

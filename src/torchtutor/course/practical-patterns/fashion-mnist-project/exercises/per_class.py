"""Milestone 3: what one accuracy number hides                         (supported)

Step 4 of the method, analysis. Write two functions that work from a model's
predictions, so that they serve any model you build.

- `per_class_accuracy(predicted, labels)`: a float tensor of 10 values. Entry
  k is the fraction of the images whose true class is k that were predicted
  as k. (`predicted` and `labels` are int64 tensors [N] of class indices.)
- `hardest_class(predicted, labels, classes)`: the name (from `classes`) of
  the class with the lowest per-class accuracy.

What the checker does: it makes predictions for the sample's 1,000 test
images with a simple classifier of its own (each image gets the class whose
average training image is nearest), and some predictions of its own making,
and compares your table and your hardest class with its own. It also tries a
classifier that never predicts one class at all.
"""

import torch

from torchtutor.data import load_dataset


def per_class_accuracy(predicted, labels):
    return None  # your code here


def hardest_class(predicted, labels, classes):
    return None  # your code here


if __name__ == "__main__":
    train = load_dataset("fashion-mnist", "train", sample=True)
    test = load_dataset("fashion-mnist", "test", sample=True)
    means = torch.stack([train.images[train.labels == k].float().mean(dim=0) for k in range(10)])
    predicted = torch.cdist(test.images.float().reshape(-1, 784), means.reshape(10, -1)).argmin(dim=1)
    for name, acc in zip(test.classes, per_class_accuracy(predicted, test.labels)):
        print(f"{name:12} {acc:.1%}")
    print("hardest:", hardest_class(predicted, test.labels, test.classes))

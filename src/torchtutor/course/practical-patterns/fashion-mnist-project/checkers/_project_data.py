"""Shared by the fashion-mnist-project checkers: the shipped sample, loaded once per check."""

import torch

from torchtutor.data import load_dataset

TRAIN = load_dataset("fashion-mnist", "train", sample=True)
TEST = load_dataset("fashion-mnist", "test", sample=True)
CLASSES = tuple(TRAIN.classes)


def subset_without(images, labels, missing, size, seed=0):
    """A shuffled subset of ``size`` images that leaves class ``missing`` out."""
    keep = (labels != missing).nonzero().flatten()
    order = keep[torch.randperm(len(keep), generator=torch.Generator().manual_seed(seed))[:size]]
    return images[order], labels[order]


def per_class(predicted, labels):
    """Per-class accuracy (recall): of the images whose true class is k, the fraction predicted k."""
    return torch.stack([(predicted[labels == k] == k).float().mean() for k in range(10)])

"""Milestone 1: meet the classes: reference solution."""

import torch


def class_counts(labels):
    return torch.bincount(labels, minlength=10)


def mean_images(images, labels):
    pixels = images.float() / 255
    return torch.stack([pixels[labels == k].mean(dim=0) for k in range(10)])


def closest_pair(images, labels, classes):
    means = mean_images(images, labels).reshape(10, -1)
    distance = torch.cdist(means, means)
    distance.fill_diagonal_(float("inf"))          # a class is not its own neighbour
    distance = torch.nan_to_num(distance, nan=float("inf"))   # a class with no images has no average
    i, j = divmod(int(distance.argmin()), 10)
    return classes[i], classes[j]

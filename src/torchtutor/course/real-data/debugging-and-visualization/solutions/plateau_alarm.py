"""The plateau alarm: reference solution.

Predicting the label frequencies p_k for every input scores -sum p_k ln p_k, the
entropy of the labels, and answering the commonest class scores its share. A run whose
loss and accuracy both sit at those baselines has learned nothing about the inputs.
"""

import math

import torch


def label_entropy(y):
    p = torch.bincount(y).double() / len(y)
    p = p[p > 0]
    return float(-(p * p.log()).sum())


def majority_share(y):
    return float(torch.bincount(y).max()) / len(y)


def is_class_prior_plateau(final_loss, accuracy, y):
    entropy = label_entropy(y)
    return abs(final_loss - entropy) <= 0.05 * entropy and abs(accuracy - majority_share(y)) <= 0.02


if __name__ == "__main__":
    y = torch.tensor([0] * 70 + [1] * 20 + [2] * 10)
    print(label_entropy(y), majority_share(y))
    print(is_class_prior_plateau(0.81, 0.70, y), is_class_prior_plateau(0.31, 0.91, y))

"""Softmax and cross-entropy by hand: reference solution."""

import math

import torch

logits = torch.tensor([[2.0, 1.0, 0.1],
                       [0.5, 2.5, 0.3],
                       [1.2, 0.2, 3.1]])
labels = torch.tensor([0, 2, 2])


def softmax(logits):
    e = torch.exp(logits)
    return e / e.sum(dim=1, keepdim=True)          # each row divided by its own sum


def p_correct(probs, labels):
    return probs[torch.arange(len(labels)), labels]   # row i, column labels[i]


def cross_entropy(logits, labels):
    return (-torch.log(p_correct(softmax(logits), labels))).mean()


penalty_ratio = -math.log(0.01) / -math.log(0.95)


if __name__ == "__main__":
    probs = softmax(logits)
    print("softmax:\n", probs)
    print("p_correct:", p_correct(probs, labels))
    print("cross_entropy:", cross_entropy(logits, labels))
    print("penalty_ratio:", penalty_ratio)

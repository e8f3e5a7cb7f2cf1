"""Softmax and cross-entropy by hand                                   (guided)

nn.CrossEntropyLoss is softmax followed by -log(p_correct), averaged over the batch.
Write both halves yourself, with tensor operations only (no torch.softmax, no
nn.CrossEntropyLoss, no torch.nn.functional):

1. `softmax(logits)`: logits of shape [N, C] -> probabilities of shape [N, C]:
   exponentiate, then divide each row by its own sum. Every row must sum to 1.
2. `p_correct(probs, labels)`: for each row, the probability of that row's correct
   class (labels are class indices, int64, shape [N]). Returns shape [N].
3. `cross_entropy(logits, labels)`: the mean of -log(p_correct) over the batch, one
   number (a 0-d tensor), built from your two functions.
4. `penalty_ratio`: how many times larger the loss is for a confidently wrong
   prediction (p_correct = 0.01) than for a confidently right one (p_correct = 0.95).
   Compute it; do not type the number.

The checker calls your functions on logits and labels of its own and compares them
with PyTorch's.

Done when: softmax matches torch.softmax(logits, dim=1), p_correct picks the right
entry of every row, cross_entropy matches nn.CrossEntropyLoss, and penalty_ratio is
the real ratio. Run this file to print them for the example below.
"""

import math

import torch

logits = torch.tensor([[2.0, 1.0, 0.1],
                       [0.5, 2.5, 0.3],
                       [1.2, 0.2, 3.1]])
labels = torch.tensor([0, 2, 2])


def softmax(logits):
    return None  # your code here


def p_correct(probs, labels):
    return None  # your code here


def cross_entropy(logits, labels):
    return None  # your code here


penalty_ratio = None  # your code here


if __name__ == "__main__":
    probs = softmax(logits)
    print("softmax:\n", probs)
    print("p_correct:", p_correct(probs, labels))
    print("cross_entropy:", cross_entropy(logits, labels))
    print("penalty_ratio:", penalty_ratio)

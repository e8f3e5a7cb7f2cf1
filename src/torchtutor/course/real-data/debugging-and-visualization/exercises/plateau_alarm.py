"""The plateau alarm: loss going down is not learning                    (supported)

A model that ignores its input can still lower the loss: it learns how often each
label occurs and predicts those frequencies for every image. Write the baselines that
unmask it, for a tensor of integer labels `y` (classes 0 to K - 1, K = y.max() + 1):

- `label_entropy(y)`: the cross-entropy (in nats, natural log) that predicting the
  label frequencies scores: -sum(p_k * ln p_k) over the classes that occur;
- `majority_share(y)`: the accuracy of always answering the most common class,
  a float between 0 and 1;
- `is_class_prior_plateau(final_loss, accuracy, y)`: True when the loss is within 5%
  of `label_entropy(y)` AND the accuracy is within 0.02 of `majority_share(y)`,
  otherwise False.

Done when: the checker tries your functions on label sets of its own, balanced and
unbalanced, and on runs that plateau and runs that learn.
"""

import math

import torch


def label_entropy(y):
    return None   # your code here


def majority_share(y):
    return None   # your code here


def is_class_prior_plateau(final_loss, accuracy, y):
    return None   # your code here


if __name__ == "__main__":
    y = torch.tensor([0] * 70 + [1] * 20 + [2] * 10)
    print(label_entropy(y), majority_share(y))
    print(is_class_prior_plateau(0.81, 0.70, y), is_class_prior_plateau(0.31, 0.91, y))

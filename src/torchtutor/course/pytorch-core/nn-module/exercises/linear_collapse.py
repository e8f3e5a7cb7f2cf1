"""The linear-collapse experiment                                    (supported)

`plain` stacks two linear layers with nothing between them; `with_relu` has the same
shape with an nn.ReLU() in the middle. Prove that the first collapses into a single
linear layer and that the second does not.

1. Write `collapse(first, second)`. Given two nn.Linear layers, where `second` is
   applied after `first`, return `(W_eff, b_eff)`: the weight and bias of ONE linear
   layer that computes second(first(x)). Keep nn.Linear's convention: W_eff has shape
   (out_features, in_features), and the single layer computes x @ W_eff.T + b_eff.
   Derive it on paper first: write out second(first(x)) with W1, b1, W2, b2.
2. Write `gap(stack, first, second, x)`: collapse `first` and `second` (two linear
   layers of `stack`), then return the largest absolute difference between stack(x)
   and x @ W_eff.T + b_eff, as a Python float (.item()).

The bottom of the file runs the experiment: the gap for `plain` and for `with_relu`.
Run it and look at the two numbers.

Done when: collapse is right for several pairs of layers, square and not, and gap
measures the largest difference: at float-rounding level for a plain stack, clearly
non-zero once a ReLU sits between the layers.
"""

import torch
import torch.nn as nn


def collapse(first, second):
    return None, None  # your code here: (W_eff, b_eff)


def gap(stack, first, second, x):
    return None  # your code here


if __name__ == "__main__":
    torch.manual_seed(0)
    plain = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 3))
    with_relu = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = torch.randn(10, 4)
    print("gap without ReLU:", gap(plain, plain[0], plain[1], x))
    print("gap with ReLU:   ", gap(with_relu, with_relu[0], with_relu[2], x))   # position 1 is the ReLU

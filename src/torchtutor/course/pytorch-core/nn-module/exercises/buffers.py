"""Buffers: state that travels but never learns                      (supported)

A model often needs fixed numbers that are not learned: here, the mean and standard
deviation used to standardise its inputs. They must travel with the model (convert
the model with .double() or move it with .to(device), and they must come along) and
be part of its saved state, state_dict(). But no optimizer should ever change them.

Complete `Standardize(mean, std)`:
- `mean` and `std` arrive as tensors (one number per feature); keep them on the
  module under the names "mean" and "std", as buffers;
- `forward(x)` returns (x - mean) / std.

Done when: the checker finds no parameters, two buffers called mean and std, both
in state_dict(), both converted by .double(), and the right standardised output.
"""

import torch
import torch.nn as nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        pass  # your code here

    def forward(self, x):
        return None  # your code here


if __name__ == "__main__":
    norm = Standardize(torch.tensor([10.0, -2.0]), torch.tensor([2.0, 0.5]))
    print(norm(torch.tensor([[12.0, -2.5]])))          # expect [[1.0, -1.0]]
    print("parameters:", list(norm.parameters()))
    print("state_dict:", list(norm.state_dict().keys()))

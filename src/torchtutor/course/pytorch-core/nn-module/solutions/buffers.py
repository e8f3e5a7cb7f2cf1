"""Buffers: state that travels but never learns: reference solution."""

import torch
import torch.nn as nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)   # part of the state, converted and moved with the model...
        self.register_buffer("std", std)     # ...but not a parameter: nothing will train it

    def forward(self, x):
        return (x - self.mean) / self.std


if __name__ == "__main__":
    norm = Standardize(torch.tensor([10.0, -2.0]), torch.tensor([2.0, 0.5]))
    print(norm(torch.tensor([[12.0, -2.5]])))          # expect [[1.0, -1.0]]
    print("parameters:", list(norm.parameters()))
    print("state_dict:", list(norm.state_dict().keys()))

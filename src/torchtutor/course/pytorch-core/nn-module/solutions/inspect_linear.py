"""Inspect an nn.Linear layer: reference solution."""

import torch
import torch.nn as nn

layer = nn.Linear(6, 4)          # 4 neurons, each reading 6 inputs

weight_shape = tuple(layer.weight.shape)   # (4, 6): one row per neuron
bias_shape = tuple(layer.bias.shape)       # (4,): one bias per neuron
n_params = sum(p.numel() for p in layer.parameters())   # 6 * 4 + 4 = 28
is_parameter = isinstance(layer.weight, nn.Parameter)
records = layer.weight.requires_grad

if __name__ == "__main__":
    print(layer)
    print("weight", weight_shape, "bias", bias_shape, "numbers", n_params)

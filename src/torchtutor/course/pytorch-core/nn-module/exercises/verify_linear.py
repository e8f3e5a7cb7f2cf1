"""nn.Linear IS w*x + b                                                   (guided)

An nn.Linear layer is not a black box. Given its weight and bias, you can compute
exactly what it computes with the operations you already know.

Write `manual_linear(x, weight, bias)`:
- `x` has shape (N, in_features): a batch of N samples;
- `weight` has shape (out_features, in_features): one row per neuron;
- `bias` has shape (out_features,): one number per neuron;
- return the layer's output, shape (N, out_features).

Use only `@`, `+` and `.T` on the tensors you are given: no nn.Linear and no
torch.nn.functional.linear inside the function, since those are what you are
reproducing.

Done when: the checker calls manual_linear with the weight and bias of several real
layers (square and non-square) and your result equals layer(x) every time.
Run this file to compare the two yourself.
"""

import torch
import torch.nn as nn


def manual_linear(x, weight, bias):
    return None  # your code here


if __name__ == "__main__":
    torch.manual_seed(0)
    layer = nn.Linear(3, 2)
    x = torch.randn(5, 3)
    print("layer(x):\n", layer(x))
    print("manual_linear:\n", manual_linear(x, layer.weight, layer.bias))

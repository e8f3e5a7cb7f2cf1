"""nn.Linear IS w*x + b: reference solution."""

import torch
import torch.nn as nn


def manual_linear(x, weight, bias):
    # weight is (out, in): transpose it so the inner sizes line up, (N, in) @ (in, out).
    # The bias, shape (out,), broadcasts over the N rows.
    return x @ weight.T + bias


if __name__ == "__main__":
    torch.manual_seed(0)
    layer = nn.Linear(3, 2)
    x = torch.randn(5, 3)
    print("layer(x):\n", layer(x))
    print("manual_linear:\n", manual_linear(x, layer.weight, layer.bias))

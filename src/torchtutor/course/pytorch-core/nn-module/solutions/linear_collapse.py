"""The linear-collapse experiment: reference solution."""

import torch
import torch.nn as nn


def collapse(first, second):
    # second(first(x)) = W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)
    W_eff = second.weight @ first.weight
    b_eff = second.weight @ first.bias + second.bias
    return W_eff, b_eff


def gap(stack, first, second, x):
    W_eff, b_eff = collapse(first, second)
    return (stack(x) - (x @ W_eff.T + b_eff)).abs().max().item()


if __name__ == "__main__":
    torch.manual_seed(0)
    plain = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 3))
    with_relu = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = torch.randn(10, 4)
    print("gap without ReLU:", gap(plain, plain[0], plain[1], x))
    print("gap with ReLU:   ", gap(with_relu, with_relu[0], with_relu[2], x))   # position 1 is the ReLU

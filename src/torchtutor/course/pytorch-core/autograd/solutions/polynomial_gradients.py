"""Polynomial gradients: reference solution."""

import torch


def poly_grad(x_value):
    x = torch.tensor(float(x_value), requires_grad=True)   # a fresh leaf per call, float so it can record
    p = 3 * x ** 3 - 4 * x ** 2 + 2 * x - 7
    p.backward()
    return x.grad.item()                                   # the gradient waits on the leaf, not on p


def pair_grads(a_value, b_value):
    a = torch.tensor(float(a_value), requires_grad=True)
    b = torch.tensor(float(b_value), requires_grad=True)
    q = a ** 2 * b + b ** 3
    q.backward()                                           # one rewind fills both .grad attributes
    return a.grad.item(), b.grad.item()


if __name__ == "__main__":
    print("dp/dx at 2:", poly_grad(2))
    print("(dq/da, dq/db) at (1, 2):", pair_grads(1, 2))

"""Repair the in-place edits  (level: supported)

Two small functions were "optimised" with in-place operations. Both give the
right numbers on their forward pass, and both break as soon as autograd has to
go backwards through them.

- `gate(z, scale)` returns sigmoid(z) * scale.
- `positive_energy(z)` returns the sum of the squares of the positive entries
  of z, treating negative entries as 0: sum(max(z, 0) ** 2).

Run this file (python inplace_repair.py) to see the errors. Then repair both
functions so that backward() works, without changing what they compute. The
functions receive tensors that record; they must not change the tensor they are
given.

Done when: the checker calls each function on tensors with requires_grad=True,
calls backward() on the result, compares the values and the gradients with the
right ones, and checks that your function left its input unchanged.
"""

import torch


def gate(z, scale):
    s = torch.sigmoid(z)
    s *= scale                  # in place, to save a tensor
    return s


def positive_energy(z):
    z.clamp_(min=0.0)           # in place: negative entries become 0
    return (z ** 2).sum()


if __name__ == "__main__":
    z = torch.tensor(0.5, requires_grad=True)
    gate(z, 10.0).backward()
    print("gate: dz =", z.grad)

    v = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    positive_energy(v).backward()
    print("positive_energy: dv =", v.grad)

"""Repair the in-place edits: reference solution."""

import torch


def gate(z, scale):
    s = torch.sigmoid(z)        # sigmoid saves s: its derivative is s * (1 - s)
    return s * scale            # a new tensor; the saved s stays intact


def positive_energy(z):
    positive = z.clamp(min=0.0)     # out of place: the caller's z is untouched and stays in the graph
    return (positive ** 2).sum()


if __name__ == "__main__":
    z = torch.tensor(0.5, requires_grad=True)
    gate(z, 10.0).backward()
    print("gate: dz =", z.grad)

    v = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    positive_energy(v).backward()
    print("positive_energy: dv =", v.grad)

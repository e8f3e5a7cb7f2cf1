"""Freeze one layer, share another: reference solution."""

import torch
import torch.nn as nn


def make_model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))


def freeze_first_layer(model):
    model[0].requires_grad_(False)     # sets requires_grad=False on weight and bias


class TiedNet(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.shared = nn.Linear(features, features)   # one layer, one set of parameters

    def forward(self, x):
        return self.shared(torch.relu(self.shared(x)))  # ...used twice


if __name__ == "__main__":
    model = make_model()
    freeze_first_layer(model)
    model(torch.randn(5, 3)).sum().backward()
    for name, p in model.named_parameters():
        print(name, "requires_grad =", p.requires_grad, " grad is None:", p.grad is None)
    tied = TiedNet(3)
    print("TiedNet parameter tensors:", len(list(tied.parameters())))

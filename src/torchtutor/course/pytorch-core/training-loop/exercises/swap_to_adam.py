"""Swap SGD for Adam: one line                                            (supported)

The loop in `train` below never mentions SGD. All it asks of its optimizer is
`zero_grad()` and `step()`, the two methods every optimizer in torch.optim shares.
So changing the algorithm is a change to one constructor line, not to the loop.

Make that change: `make_optimizer(model)` should return torch.optim.Adam over all of
the model's parameters, with a learning rate of 0.1 and Adam's default betas. Do not
touch `train`.

Why 0.1 and not Adam's default learning rate? Try the default (leave lr out) and run
the file: Adam moves each weight by about lr per step, and 0.001 is sized for big
networks, not for a line that has to travel from 0 to 2.

Done when: make_optimizer(model) returns an Adam that holds every parameter of
`model`, with lr 0.1 and betas (0.9, 0.999); `train` still trains correctly with any
optimizer (the checker also runs it with its own SGD); and `train` with your Adam fits
the data below within 0.05 of w = 2, b = 1 in EPOCHS epochs.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.linspace(-1, 1, 32).reshape(-1, 1)
y = 2 * X + 1 + 0.05 * torch.randn(32, 1)
EPOCHS = 150


def train(model, optimizer, loss_fn, X, y, epochs):
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def make_optimizer(model):
    return torch.optim.SGD(model.parameters(), lr=0.1)


if __name__ == "__main__":
    model = nn.Linear(1, 1)
    optimizer = make_optimizer(model)
    losses = train(model, optimizer, nn.MSELoss(), X, y, EPOCHS)
    print(f"{type(optimizer).__name__}: loss {losses[0]:.4f} -> {losses[-1]:.4f}, "
          f"w = {model.weight.item():.3f}, b = {model.bias.item():.3f}")

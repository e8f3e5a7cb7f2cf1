"""Diagnose the accumulation bug                                         (supported)

A colleague sends you this script with a note: "It runs without a single error, but
the loss goes down, then back up, and never settles. Lowering the learning rate only
makes it take longer to go wrong. Is PyTorch broken?"

PyTorch is fine. Run the file, read the losses it prints, compare `train` with the
loop from the lesson, and find the bug. Then fix `train` with the smallest change you
can: keep its arguments and its return value (one loss per epoch, as floats).

Done when: the checker runs your `train` on its own data, model and optimizer, and at
every step the optimizer uses the gradient of that step's loss, not a pile of old
ones; and the fit ends within 0.05 of w = 2, b = 1.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.linspace(-1, 1, 32).reshape(-1, 1)
y = 2 * X + 1 + 0.05 * torch.randn(32, 1)


def train(model, optimizer, loss_fn, X, y, epochs):
    losses = []
    for epoch in range(epochs):
        y_hat = model(X)
        loss = loss_fn(y_hat, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


if __name__ == "__main__":
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = train(model, optimizer, nn.MSELoss(), X, y, epochs=100)
    for epoch in range(0, 100, 10):
        print(f"epoch {epoch:3}  loss {losses[epoch]:.4f}")
    print(f"w = {model.weight.item():.3f}, b = {model.bias.item():.3f}   (the data come from w = 2, b = 1)")

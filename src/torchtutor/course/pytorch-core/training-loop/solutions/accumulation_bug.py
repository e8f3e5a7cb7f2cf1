"""Diagnose the accumulation bug: reference solution.

The bug: nothing clears the gradients, so every loss.backward() adds to the .grad
left by all earlier steps, and optimizer.step() follows the running sum instead of the
current gradient. One line fixes it: optimizer.zero_grad() at the start of each
iteration.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.linspace(-1, 1, 32).reshape(-1, 1)
y = 2 * X + 1 + 0.05 * torch.randn(32, 1)


def train(model, optimizer, loss_fn, X, y, epochs):
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()          # the missing line: clear, then compute, then use
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

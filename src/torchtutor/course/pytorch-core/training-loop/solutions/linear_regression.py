"""Linear regression from scratch: reference solution."""

import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.linspace(-1, 1, 32).reshape(-1, 1)          # 32 samples, 1 feature: shape [32, 1]
y = 2 * X + 1 + 0.05 * torch.randn(32, 1)              # the line, plus a little noise


def train(model, optimizer, loss_fn, X, y, epochs):
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()          # clear
        y_hat = model(X)               # forward: a fresh graph every iteration
        loss = loss_fn(y_hat, y)       # one number for "how wrong"
        loss.backward()                # compute
        optimizer.step()               # use
        losses.append(loss.item())     # a plain float, not a tensor holding its graph
    return losses


def build():
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return model, loss_fn, optimizer


EPOCHS = 200


if __name__ == "__main__":
    model, loss_fn, optimizer = build()
    losses = train(model, optimizer, loss_fn, X, y, EPOCHS)
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    print(f"w = {model.weight.item():.3f}, b = {model.bias.item():.3f}")

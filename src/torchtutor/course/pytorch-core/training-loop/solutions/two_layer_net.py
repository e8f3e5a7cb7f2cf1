"""A two-layer network on data no line can fit: reference solution."""

import torch
import torch.nn as nn

X = torch.linspace(-2, 2, 64).reshape(-1, 1)
y = X ** 2


def make_model():
    return nn.Sequential(
        nn.Linear(1, 32),
        nn.ReLU(),                 # without it the two layers collapse into one line
        nn.Linear(32, 1),
    )


def train(model, X, y):
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(400):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


if __name__ == "__main__":
    torch.manual_seed(0)
    model = make_model()
    losses = train(model, X, y)
    print(f"{len(losses)} epochs, loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    with torch.no_grad():
        for x in [-2.0, -1.0, 0.0, 0.5, 1.5]:
            print(f"x = {x:4}: predicted {model(torch.tensor([[x]])).item():7.3f}, true {x * x:6.3f}")

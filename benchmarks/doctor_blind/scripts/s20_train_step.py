"""Spiral-ish 2D classification with a reusable train_step helper."""
import math

import torch
import torch.nn as nn


def spirals(n=600, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.rand(n, generator=g) * 3 * math.pi
    cls = torch.randint(0, 2, (n,), generator=g)
    r = t / (3 * math.pi)
    angle = t + cls * math.pi
    x = torch.stack([r * torch.cos(angle), r * torch.sin(angle)], 1)
    return x + 0.02 * torch.randn(n, 2, generator=g), cls


def train_step(model, batch, optimizer, criterion):
    x, y = batch
    logits = model(x)
    loss = criterion(logits, y)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()


def main():
    torch.manual_seed(0)
    x, y = spirals()
    model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(20):
        perm = torch.randperm(len(x))
        losses = [train_step(model, (x[perm[i:i + 60]], y[perm[i:i + 60]]), optimizer, criterion)
                  for i in range(0, len(x), 60)]
        if epoch % 5 == 0:
            print(f"epoch {epoch}: {sum(losses) / len(losses):.4f}")


if __name__ == "__main__":
    main()

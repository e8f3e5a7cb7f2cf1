"""Checkpoint a run and resume it exactly: reference solution.

One dict holds everything the next epoch depends on: the weights, Adam's running
averages and step counts, and where the run stopped. Resuming loads both state_dicts
into the fresh objects and starts at the epoch after the saved one, so the resumed
run repeats the uninterrupted run's arithmetic exactly.
"""

import tempfile
from pathlib import Path

import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(256, 6)
y = (X[:, :3] ** 2).sum(dim=1, keepdim=True) - X[:, 3:4]


def make_model():
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))


def make_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=0.01)


def train_epoch(model, optimizer, X, y):
    optimizer.zero_grad()
    loss = nn.MSELoss()(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def save_checkpoint(path, model, optimizer, epoch, loss):
    torch.save({
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": epoch,
        "loss": float(loss),
    }, path)


def resume_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"] + 1, checkpoint["loss"]


if __name__ == "__main__":
    model = make_model()
    optimizer = make_optimizer(model)
    uninterrupted = [train_epoch(model, optimizer, X, y) for _ in range(12)]

    model = make_model()
    optimizer = make_optimizer(model)
    losses = [train_epoch(model, optimizer, X, y) for _ in range(6)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"
        save_checkpoint(path, model, optimizer, 6, losses[-1])
        model = make_model()                       # a new process would start like this
        optimizer = make_optimizer(model)
        start, _ = resume_checkpoint(path, model, optimizer)
    losses += [train_epoch(model, optimizer, X, y) for _ in range(start, 13)]
    for epoch, (a, b) in enumerate(zip(uninterrupted, losses), start=1):
        print(f"epoch {epoch:2}   uninterrupted {a:.5f}   resumed {b:.5f}")

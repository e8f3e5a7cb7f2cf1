"""Checkpoint a run and resume it exactly                                  (supported)

Write the two halves of a checkpoint:

- `save_checkpoint(path, model, optimizer, epoch, loss)` writes ONE file holding a
  dict with the keys "model", "optimizer", "epoch" and "loss": both state_dicts, the
  number of the epoch that just finished, and its loss as a float.
- `resume_checkpoint(path, model, optimizer)` gets a freshly built model and optimizer,
  restores both from the file in place, and returns `(start_epoch, loss)`: the number
  of the epoch to run next, and the saved loss.

The script at the bottom trains for 6 epochs, saves, resumes into fresh objects and
trains to epoch 12, next to an uninterrupted run. Run it and compare the columns.

Done when: the checker runs the same experiment with its own model and data in a
temporary folder, and the resumed run's losses equal the uninterrupted run's, epoch
for epoch.
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
    pass          # your code here


def resume_checkpoint(path, model, optimizer):
    return None   # your code here: restore both, return (start_epoch, loss)


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

"""Early stopping: patience, save best, restore best                    (independent)

Write `fit_with_early_stopping(model, optimizer, train_one_epoch, validate, path,
patience, max_epochs)`:

- each epoch (counted from 1) calls `train_one_epoch()` once, then `validate()`, which
  returns that epoch's validation loss as a float;
- stop when `patience` epochs in a row have not beaten the best validation loss seen
  so far, or after `max_epochs`;
- keep a checkpoint of the best epoch in the file `path` (a dict with "model",
  "optimizer", "epoch" and "loss", as in the lesson);
- before returning, put the best epoch's weights back into `model`;
- return `(best_epoch, epochs_run)`.

The script at the bottom tries it on the lesson's overfitting problem: a large network
and 30 noisy points.

Done when: the checker runs your function on validation curves of its own, with
different patience values, and checks the epoch it stopped at, the best epoch it
reports, the checkpoint file, and the weights your model ends with.
"""

import tempfile
from pathlib import Path

import torch
import torch.nn as nn


def fit_with_early_stopping(model, optimizer, train_one_epoch, validate, path, patience, max_epochs=500):
    return None   # your code here


if __name__ == "__main__":
    torch.manual_seed(0)

    def noisy_sine(n):
        x = torch.rand(n, 1) * 4 - 2
        return x, torch.sin(2 * x) + 0.3 * torch.randn(n, 1)

    X_train, y_train = noisy_sine(30)
    X_val, y_val = noisy_sine(200)
    model = nn.Sequential(nn.Linear(1, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    criterion = nn.MSELoss()

    def train_one_epoch():
        optimizer.zero_grad()
        loss = criterion(model(X_train), y_train)
        loss.backward()
        optimizer.step()

    def validate():
        with torch.no_grad():
            return criterion(model(X_val), y_val).item()

    with tempfile.TemporaryDirectory() as folder:
        best_epoch, epochs_run = fit_with_early_stopping(
            model, optimizer, train_one_epoch, validate, Path(folder) / "best.pt", patience=20)
    print(f"ran {epochs_run} epochs, best at epoch {best_epoch}, validation loss now {validate():.4f}")

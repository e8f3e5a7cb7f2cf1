"""Early stopping: reference solution.

Compare with the best so far, save a checkpoint and reset the counter on every
improvement, stop once patience epochs in a row brought none, and load the best
checkpoint back: the weights at the stop are patience epochs past the best.
"""

import tempfile
from pathlib import Path

import torch
import torch.nn as nn


def fit_with_early_stopping(model, optimizer, train_one_epoch, validate, path, patience, max_epochs=500):
    best_loss, best_epoch, waited = float("inf"), 0, 0
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        train_one_epoch()
        loss = validate()
        if loss < best_loss:
            best_loss, best_epoch, waited = loss, epoch, 0
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "epoch": epoch, "loss": float(loss)}, path)
        else:
            waited += 1
            if waited >= patience:
                break
    best = torch.load(path, weights_only=True)
    model.load_state_dict(best["model"])
    return best_epoch, epoch


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

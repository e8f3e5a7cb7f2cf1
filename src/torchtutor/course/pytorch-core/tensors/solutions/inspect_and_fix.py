"""Inspect and fix: reference solution."""

import numpy as np
import torch


def prepare(X_np, y_np, device):
    X = torch.from_numpy(X_np).float().to(device)                 # float64 -> float32, then move
    y = torch.from_numpy(y_np).float().reshape(-1, 1).to(device)  # (N,) -> (N, 1), a column
    return X, y


# Inspect what prepare returns: shape, dtype, device.
X_np = np.random.rand(5, 3)
y_np = np.random.rand(5)
X, y = prepare(X_np, y_np, "cpu")
print("X:", X.shape, X.dtype, X.device)
print("y:", y.shape, y.dtype, y.device)

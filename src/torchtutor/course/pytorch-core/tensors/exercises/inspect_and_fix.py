"""Inspect and fix: shape, dtype, device  (level: guided)

`prepare(X_np, y_np, device)` turns a NumPy data set into tensors for a linear
model whose weights are float32 and live on `device`:

    X_np   NumPy array, shape (N, 3), float64: N samples, 3 features each
    y_np   NumPy array, shape (N,),   float64: one target per sample

The version below runs without an error, yet it hands the model three problems.
Find them the way you will find most PyTorch bugs: run this file and read the
three attributes it prints for each tensor (shape, dtype, device). Then fix
`prepare` so that it returns `(X, y)` where

- X is a float32 tensor of shape (N, 3), on `device`;
- y is a float32 tensor of shape (N, 1), on `device`: a column, the same shape as
  the predictions X @ W of a model with W of shape (3, 1);
- both hold the arrays' numbers.

What the checker does: calls `prepare` on arrays of its own with device "cpu" and
compares shape, dtype and values; then calls it with device "meta" (a stand-in
for a GPU, explained in the lesson) and checks where the tensors ended up.
"""

import numpy as np
import torch


def prepare(X_np, y_np, device):
    X = torch.from_numpy(X_np)
    y = torch.from_numpy(y_np)
    return X, y


# Inspect what prepare returns: shape, dtype, device.
X_np = np.random.rand(5, 3)
y_np = np.random.rand(5)
X, y = prepare(X_np, y_np, "cpu")
print("X:", X.shape, X.dtype, X.device)
print("y:", y.shape, y.dtype, y.device)

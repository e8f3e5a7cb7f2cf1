"""Device-aware code: reference solution."""

import torch


def pick_device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def predict(X, W, b):
    W = W.to(X.device)      # bring the parameters to the data
    b = b.to(X.device)
    return X @ W + b


def to_numpy(t):
    return t.detach().cpu().numpy()

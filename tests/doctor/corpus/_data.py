"""Synthetic data shared by the corpus scripts (imported from the script's own folder)."""
import torch


def blobs(n=512, features=20, classes=4, seed=0):
    """A separable classification problem: class = argmax of a fixed linear map."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, features, generator=g)
    w = torch.randn(features, classes, generator=g)
    y = (X @ w).argmax(1)
    return X, y


def regression(n=256, features=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, features, generator=g)
    w = torch.randn(features, 1, generator=g)
    y = (X @ w).squeeze(1) + 0.1 * torch.randn(n, generator=g)
    return X, y

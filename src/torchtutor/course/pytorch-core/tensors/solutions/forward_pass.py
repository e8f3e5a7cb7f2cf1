"""Forward pass: reference solution."""

import torch


def make_data():
    torch.manual_seed(0)
    X = torch.randn(100, 3)                # float32 by default
    w = torch.tensor([2.0, -1.0, 0.5])
    b = 1.0
    return X, w, b


def forward(X, w, b):
    return X @ w + b   # (N, F) @ (F,) -> (N,); b is broadcast to every row


if __name__ == "__main__":
    X, w, b = make_data()
    y_hat = forward(X, w, b)
    print("y_hat:", y_hat.shape, y_hat.dtype, y_hat.device)

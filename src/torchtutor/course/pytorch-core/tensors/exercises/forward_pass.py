"""Forward pass: from NumPy to PyTorch  (level: supported)

In Series 1 you built linear-regression data and a prediction in NumPy:

    np.random.seed(0)
    X = np.random.randn(100, 3)        # 100 samples, 3 features each
    w = np.array([2.0, -1.0, 0.5])     # one weight per feature
    b = 1.0                            # the bias
    y_hat = X @ w + b                  # one prediction per sample: shape (100,)

Write the same thing in PyTorch.

1. `make_data()` returns `X, w, b`: the data and parameters above, made with
   PyTorch, as float32. Use torch.manual_seed(0) where NumPy used
   np.random.seed(0); your X will hold different numbers from NumPy's, and that
   is fine.
2. `forward(X, w, b)` returns the predictions for X of shape (N, F), w of shape
   (F,) and a bias b (a Python number or a one-number tensor): one prediction
   per row of X, so shape (N,).

What the checker does: calls `forward` on small tensors of its own and compares
the result with X @ w + b; then calls `make_data()`, checks X, w and b (shape,
dtype, values) and runs your forward pass on them.

To see it yourself, run this file with `python forward_pass.py`: the block at the
bottom prints the shape, dtype and device of your predictions.
"""

import torch


def make_data():
    X = None   # your code here
    w = None   # your code here
    b = None   # your code here
    return X, w, b


def forward(X, w, b):
    return None  # your code here


if __name__ == "__main__":
    X, w, b = make_data()
    y_hat = forward(X, w, b)
    print("y_hat:", y_hat.shape, y_hat.dtype, y_hat.device)

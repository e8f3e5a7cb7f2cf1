"""Checker for tensors/forward-pass."""

import traceback

import numpy as np
import torch

from torchtutor.checks import Wrong, WrongError, describe, expect_close, expect_tensor, fail, known

STAR = ("`*` multiplies element by element: each feature of each row times the matching weight, "
        "leaving an (N, F) grid with nothing summed. A forward pass needs the matrix product `@` "
        "(torch.matmul), which multiplies and then sums along the features: (N, F) @ (F,) -> (N,).")


def _star(name, value):
    return Wrong(f"`{name}` used `*` where it needs `@`.", value=value, details=[STAR],
                 misconceptions=["star-is-matmul"], failure="star-vs-matmul")


def _numpy_in_traceback(exc):
    return any("/numpy/" in f.filename.replace("\\", "/") for f in traceback.extract_tb(exc.__traceback__))


ERRORS = [
    known("matmul-order"),
    WrongError(TypeError, "", "`forward(X, w, b)` mixes NumPy functions with tensors, and that failed.",
               when=_numpy_in_traceback, failure="TypeError",
               details=["Python said: {error}",
                        "Tensors have their own operators: X @ w + b works on any device, while np.dot would need "
                        "the data on the CPU as arrays."]),
]


def _call_forward(ex, X, w, b):
    return ex.call("forward", X, w, b, errors=ERRORS, doing="Calling `forward(X, w, b)`")


def check(ex):
    g = torch.Generator().manual_seed(7)
    Xc = torch.randn(4, 3, generator=g)
    wc = torch.tensor([0.5, -2.0, 1.5])
    bc = torch.tensor(0.25)
    out = _call_forward(ex, Xc, wc, bc)
    if out is None:
        fail("`forward(X, w, b)` returned None: replace `return None` with the forward pass.", failure="placeholder")
    expect_tensor(out, Xc @ wc + bc, name="forward(X, w, b)", wrong=[
        _star("forward(X, w, b)", Xc * wc + bc),
        Wrong("`forward(X, w, b)` returned a NumPy array: np.dot and friends turn tensors into arrays.",
              details=["Stay in PyTorch with X @ w + b. (On a GPU, NumPy could not read the tensors at all.)"],
              when=lambda v: isinstance(v, np.ndarray), failure="not-a-tensor"),
        Wrong("`forward(X, w, b)` forgot the bias: it returned X @ w without + b.", value=Xc @ wc, failure="missing-bias"),
        Wrong("`forward(X, w, b)` added everything up into one number; it should give one prediction per row.",
              details=["X @ w already sums over the features of each row; a further .sum() adds the rows together."],
              when=lambda t: isinstance(t, torch.Tensor) and t.dim() == 0, failure="wrong-shape"),
    ])
    # A square X, where `*` does not raise but gives a plausible-looking grid.
    Xs = torch.randn(3, 3, generator=g)
    out = _call_forward(ex, Xs, wc, 1.0)
    expect_tensor(out, Xs @ wc + 1.0, name="forward(X, w, 1.0)", wrong=[_star("forward(X, w, 1.0)", Xs * wc + 1.0)])

    made = ex.call("make_data", doing="Calling `make_data()`")
    if not isinstance(made, (tuple, list)) or len(made) != 3:
        got = f"{len(made)} things" if isinstance(made, (tuple, list)) else describe(made)
        fail(f"`make_data()` should return three things, X, w, b, but it returned {got}.",
             "End it with `return X, w, b`.", failure="wrong-type")
    X, w, b = made
    if X is None or w is None or b is None:
        missing = ", ".join(n for n, v in zip("Xwb", made) if v is None)
        fail(f"`make_data()` still returns None for {missing}: replace the placeholders.", failure="placeholder")

    expect_tensor(X, None, name="X", shape=(100, 3), dtype=torch.float32, wrong=[
        Wrong("`X` is a NumPy array; make it with torch.randn(100, 3).", when=lambda v: isinstance(v, np.ndarray),
              failure="not-a-tensor"),
        Wrong("`X` is float64: it came from NumPy, whose default is float64.",
              details=["torch.randn(100, 3) makes float32 directly. If you start from NumPy, add .float(). "
                       "Left as it is, X @ w with a float32 w stops with a dtype error."],
              when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float64,
              misconceptions=["float64-is-more-accurate"], failure="float64-from-numpy"),
    ])
    if bool((X >= 0).all()):
        fail("`X` has no negative numbers: it looks like torch.rand (uniform on [0, 1)), not torch.randn.",
             "np.random.randn draws from the standard normal; its PyTorch twin is torch.randn.", failure="wrong-values")

    expect_tensor(w, torch.tensor([2.0, -1.0, 0.5]), name="w", wrong=[
        Wrong("`w` is float64: a NumPy array's dtype came along. torch.tensor([2.0, -1.0, 0.5]) gives float32.",
              when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float64,
              misconceptions=["float64-is-more-accurate"], failure="float64-from-numpy"),
        Wrong("`w` is a column of shape [3, 1]; NumPy's w is a plain vector of shape (3,).",
              details=["With a column, X @ w gives shape (100, 1) instead of (100,). Use torch.tensor([2.0, -1.0, 0.5])."],
              when=lambda t: isinstance(t, torch.Tensor) and tuple(t.shape) == (3, 1), failure="wrong-shape"),
    ])
    expect_close(b, 1.0, name="b")

    y_hat = _call_forward(ex, X, w, b)
    bias = float(torch.as_tensor(b))
    expect_tensor(y_hat, X @ w + bias, name="forward(*make_data())", wrong=[_star("forward(*make_data())", X * w + bias)])
    return f"forward(X, w, b) is X @ w + b: on your data it gives {describe(y_hat)}, one prediction per sample."

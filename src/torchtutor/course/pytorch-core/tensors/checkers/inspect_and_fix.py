"""Checker for tensors/inspect-and-fix."""

import numpy as np
import torch

from torchtutor.checks import Wrong, describe, expect_tensor, fail

import _devices  # this lesson's GPU stand-in (checkers/_devices.py)

N = 6


def _float64(name, consequence):
    return Wrong(f"`{name}` is float64: torch.from_numpy kept NumPy's default dtype.",
                 details=[consequence, "Convert with .float() (before or after moving it, either works)."],
                 when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float64,
                 misconceptions=["float64-is-more-accurate"], failure="float64-from-numpy")


def _pair(out, call):
    if out is None:
        fail(f"`{call}` returned None; it should return the pair (X, y).", failure="placeholder")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        got = f"{len(out)} things" if isinstance(out, (tuple, list)) else describe(out)
        fail(f"`{call}` should return two tensors, (X, y), but it returned {got}.", "End it with `return X, y`.",
             failure="wrong-type")
    return out


def check(ex):
    prepare = ex.function("prepare")
    rng = np.random.default_rng(1)
    X_np = rng.random((N, 3))
    y_np = rng.random(N)
    X_ref = torch.tensor(X_np, dtype=torch.float32)
    y_ref = torch.tensor(y_np, dtype=torch.float32).reshape(N, 1)

    X, y = _pair(prepare(X_np.copy(), y_np.copy(), "cpu"), "prepare(X_np, y_np, 'cpu')")

    expect_tensor(X, X_ref, name="X", wrong=[_float64(
        "X", "The model's weights W are float32, and X @ W with a float64 X stops with "
             "\"RuntimeError: expected m1 and m2 to have the same dtype, but got: double != float\".")])

    expect_tensor(y, None, name="y", wrong=[_float64(
        "y", "A float64 target turns the loss float64 and mixes dtypes with the float32 predictions; "
             "PyTorch's losses and layers expect float32.")])
    expect_tensor(y, y_ref, name="y", wrong=[
        Wrong(f"`y` has shape [{N}], a plain vector, but the predictions X @ W have shape [{N}, 1], a column.",
              details=[f"They do not line up: y_hat - y broadcasts [{N}, 1] against [{N}] into a [{N}, {N}] grid of every "
                       "prediction minus every target. No error is raised; the loss is simply wrong.",
                       "Make y a column: y.reshape(-1, 1) (the -1 means 'whatever size makes it fit')."],
              when=lambda t: tuple(t.shape) == (N,), misconceptions=["vector-equals-column"], failure="target-shape"),
        Wrong(f"`y` is a row of shape [1, {N}]; the predictions are a column of shape [{N}, 1].",
              details=["reshape(-1, 1) makes one row per sample; reshape(1, -1) makes one long row."],
              when=lambda t: tuple(t.shape) == (1, N), misconceptions=["vector-equals-column"], failure="target-shape"),
    ])

    Xm, ym = _pair(prepare(X_np.copy(), y_np.copy(), "meta"), "prepare(X_np, y_np, 'meta')")
    for name, t in (("X", Xm), ("y", ym)):
        _devices.expect_on_stand_in(
            t, f"With device 'meta', `{name}` came back as",
            f"prepare(X_np, y_np, 'meta') returned `{name}` on {{device}}: `prepare` ignores its `device` argument.",
            "The model's weights live on `device`; data left on the CPU meets them in X @ W and stops with "
            "\"Expected all tensors to be on the same device\". Move each tensor with .to(device).")
    if Xm.dtype != torch.float32 or ym.dtype != torch.float32 or tuple(ym.shape) != (N, 1):
        fail(f"On device 'meta', prepare returned X as {describe(Xm)} and y as {describe(ym)}; "
             f"they should be float32, with y of shape [{N}, 1], whatever the device.", failure="wrong-dtype")
    return "X is float32 (N, 3), y is a float32 (N, 1) column, and both go where `device` says."

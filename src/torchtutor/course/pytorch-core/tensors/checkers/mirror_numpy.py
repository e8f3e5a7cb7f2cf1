"""Checker for tensors/mirror-numpy."""

import numpy as np
import torch

from torchtutor.checks import Expect, Wrong, fail

FLOAT64 = ("NumPy makes float64 unless told otherwise, and torch.from_numpy keeps the dtype it is given. "
           "PyTorch's layers and default tensors are float32: convert with .float().")


def _float64(name):
    return Wrong(f"`{name}` is float64, NumPy's default, not float32, PyTorch's.", details=[FLOAT64],
                 when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float64,
                 misconceptions=["float64-is-more-accurate"], failure="float64-from-numpy")


def _numpy(name, call):
    return Wrong(f"`{name}` is still a NumPy array. The PyTorch call is {call}.",
                 when=lambda v: isinstance(v, np.ndarray), failure="not-a-tensor")


#: Draws to judge `noise` by when its six numbers look too tame for the standard normal.
DRAWS = 60
#: A standard normal draw lands beyond 1.5 in 13% of draws; none of 60 happens once in 5,000 runs.
TAIL = 1.5


def _draws(ex, noise):
    """`noise`'s values, and as many more as it takes to have DRAWS of them, from running the
    learner's file again with other seeds."""
    values = [noise.detach().reshape(-1).double()]
    seed = 1
    while sum(v.numel() for v in values) < DRAWS:
        again = ex.rerun(seed=seed).get("noise")
        if not isinstance(again, torch.Tensor) or again.numel() == 0:
            break
        values.append(again.detach().reshape(-1).double())
        seed += 1
    return torch.cat(values)


def _check_noise_distribution(ex, noise):
    """Random values are judged as a distribution: uniform draws (torch.rand) never go negative,
    and bounded ones never reach the normal's tails."""
    suspicious = bool((noise >= 0).all()) or bool((noise.abs() < TAIL).all())
    if not suspicious:
        return
    draws = _draws(ex, noise)
    if bool((draws >= 0).all()) and bool((draws < 1).all()):
        fail("`noise` looks uniform on [0, 1): torch.rand is NumPy's np.random.rand, not randn.",
             f"Run with different seeds, every one of its {draws.numel()} draws fell between 0 and 1. "
             "np.random.randn draws from the standard normal (negative values about half the time). Its twin is "
             "torch.randn(2, 3).", failure="wrong-values")
    if bool((draws.abs() < TAIL).all()):
        fail(f"`noise` never leaves [-{TAIL}, {TAIL}]: its numbers are not draws from the standard normal.",
             f"Run with different seeds, none of its {draws.numel()} draws went beyond {TAIL} either way, where "
             "about one standard-normal draw in eight does. np.random.randn(2, 3) is torch.randn(2, 3).",
             failure="wrong-values")


EXPECT = [
    Expect("zeros", torch.zeros(3, 4), wrong=[
        _numpy("zeros", "torch.zeros(3, 4)"),
        _float64("zeros"),
        Wrong("`zeros` has 12 zeros in a row, shape [12]; the NumPy call makes a 3 x 4 grid.",
              details=["torch.zeros(3, 4) takes each size as its own argument (a tuple, (3, 4), works too)."],
              when=lambda t: tuple(t.shape) == (12,), failure="wrong-shape"),
    ]),
    Expect("ones", torch.ones(5), wrong=[_numpy("ones", "torch.ones(5)"), _float64("ones")]),
    Expect("noise", shape=(2, 3), dtype=torch.float32, wrong=[_numpy("noise", "torch.randn(2, 3)"), _float64("noise")]),
    Expect("counts", torch.tensor([[1, 2], [3, 4]]), wrong=[
        _numpy("counts", "torch.tensor([[1, 2], [3, 4]])"),
        Wrong("`counts` holds the right numbers as floats, but whole numbers should stay integers (int64).",
              details=["torch.tensor([[1, 2], [3, 4]]) with Python ints makes int64, just like NumPy. Integers are "
                       "what class labels and indices use; keep .float() for values that take part in arithmetic "
                       "with weights."],
              when=lambda t: isinstance(t, torch.Tensor) and t.dtype.is_floating_point, failure="wrong-dtype"),
    ]),
    Expect("weights", torch.tensor([0.5, -1.0, 2.0]),
           wrong=[_numpy("weights", "torch.tensor([0.5, -1.0, 2.0])"), _float64("weights")]),
    Expect("table", torch.tensor([[1.5, 2.0], [0.25, 4.0]]), wrong=[
        _numpy("table", "torch.from_numpy(table_np).float()"),
        Wrong("`table` is float64: built from table_np, it kept NumPy's float64. "
              "torch.from_numpy and torch.tensor both keep the array's dtype.",
              details=[FLOAT64 + " So: torch.from_numpy(table_np).float(), or "
                       "torch.tensor(table_np, dtype=torch.float32)."],
              when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float64,
              misconceptions=["float64-is-more-accurate"], failure="float64-from-numpy"),
    ]),
]


def check(ex):
    noise = ex.get("noise")             # its shape and dtype are judged by EXPECT; its values are random
    if bool((noise == noise.reshape(-1)[0]).all()):
        fail("`noise` holds one number six times; it should be six random draws.",
             "np.random.randn(2, 3) is torch.randn(2, 3): six independent draws from the standard normal.",
             failure="wrong-values")
    _check_noise_distribution(ex, noise)
    return "All six tensors match their NumPy twins, and every float is float32."

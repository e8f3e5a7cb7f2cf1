"""Checker for tensors/device-aware.

A GPU is simulated with PyTorch's "meta" device: tensors that have a shape and a
dtype but no data. Operations on meta tensors are checked under a function mode
that refuses to mix devices, the way a real CUDA run would.
"""

import contextlib

import numpy as np
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_map, tree_unflatten

from torchtutor.checks import describe, device_type, expect_tensor, fail, known

import _devices  # this lesson's GPU stand-in (checkers/_devices.py)


class _StrictDevices(TorchFunctionMode):
    """Raise on any torch operation whose tensor arguments live on two devices
    (a zero-dimensional CPU tensor may join any device, as CUDA allows).

    PyTorch's own meta kernels are slow to load the first time, so operations
    among meta tensors are worked out on CPU stand-ins of the same shape and
    dtype, and their results are put back on meta. Moves and conversions keep
    their real behaviour (copying a meta tensor to the CPU fails, as it should)."""

    REAL = {"to", "cpu", "cuda", "numpy", "tolist", "item", "__get__", "__set__", "__array__", "__repr__",
            "__format__", "__bool__", "__len__", "__iter__"}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        flat, spec = tree_flatten((args, kwargs))
        devices = {t.device.type for t in flat
                   if isinstance(t, torch.Tensor) and not (t.dim() == 0 and t.device.type == "cpu")}
        if len(devices) > 1:
            raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                               + " and ".join(sorted(devices)) + "!")
        if devices == {"meta"} and getattr(func, "__name__", "") not in self.REAL:
            stand_ins = [torch.zeros(t.shape, dtype=t.dtype) if isinstance(t, torch.Tensor) and t.device.type == "meta"
                         else t for t in flat]
            args, kwargs = tree_unflatten(stand_ins, spec)
            out = func(*args, **kwargs)
            return tree_map(lambda o: o.to("meta") if isinstance(o, torch.Tensor) else o, out)
        return func(*args, **kwargs)


PREDICT_ERRORS = [known("device-mismatch", "copy-back-to-cpu", "not-on-this-device")]
NUMPY_REQUIRES_GRAD = known("requires-grad")
NUMPY_ON_GPU = [known("numpy-on-gpu", "numpy-reads-gpu-memory")]


@contextlib.contextmanager
def _gpu_present(gpu: bool):
    """torch.cuda.is_available() (and torch.accelerator.is_available()) answer `gpu` inside the block."""
    saved = torch.cuda.is_available
    accel = getattr(torch, "accelerator", None)
    saved_accel = getattr(accel, "is_available", None) if accel else None
    torch.cuda.is_available = lambda: gpu
    if saved_accel is not None:
        accel.is_available = lambda: gpu
    try:
        yield
    finally:
        torch.cuda.is_available = saved
        if saved_accel is not None:
            accel.is_available = saved_accel


def _pick_device_on(ex, gpu: bool):
    """What pick_device() returns on a machine with (or without) a GPU: the file runs again there,
    so a device worked out once at import time is asked on that machine too."""
    with _gpu_present(gpu):
        namespace = ex.rerun()
        fn = namespace.get("pick_device")
        return ex.call(fn, doing="Calling `pick_device()`") if callable(fn) else None


def _check_pick_device(ex):
    got = ex.call("pick_device", doing="Calling `pick_device()`")
    if got is None:
        fail("`pick_device()` returned None: replace `return None` with your code.", failure="placeholder")
    want = "cuda" if torch.cuda.is_available() else "cpu"
    if device_type(got) is None:
        fail(f"`pick_device()` should return a torch.device (or a device name), but it returned {describe(got)}.",
             failure="wrong-type")
    if device_type(got) != want:
        fail(f"`pick_device()` returned {got!r} on a machine where torch.cuda.is_available() is "
             f"{torch.cuda.is_available()}; it should be {want!r}.", failure="wrong-device")
    for gpu, want in ((True, "cuda"), (False, "cpu")):
        got = _pick_device_on(ex, gpu)
        if device_type(got) != want:
            fail(f"`pick_device()` returned {got!r} while torch.cuda.is_available() said {gpu}; it should follow it "
                 f"and return {want!r}.",
                 "Ask PyTorch: torch.device('cuda' if torch.cuda.is_available() else 'cpu'). "
                 "A device written into the code runs on only one kind of machine.",
                 failure="hard-coded-device")


def _check_predict(ex):
    predict = ex.function("predict")
    g = torch.Generator().manual_seed(3)
    X = torch.randn(5, 4, generator=g)
    W = torch.randn(4, 2, generator=g)
    b = torch.randn(2, generator=g)
    out = predict(X, W, b)
    if out is None:
        fail("`predict(X, W, b)` returned None: replace `return None` with your code.", failure="placeholder")
    expect_tensor(out, X @ W + b, name="predict(X, W, b)")

    Xg = torch.empty(5, 4, device="meta")
    with _StrictDevices():
        out = ex.call("predict", Xg, W, b, errors=PREDICT_ERRORS,
                      doing="Calling `predict(X, W, b)` with X on the GPU stand-in")
    _devices.expect_on_stand_in(
        out, "With X on the GPU stand-in, `predict` returned",
        "With X on the GPU stand-in ('meta'), `predict` returned its result on {device}.",
        "Compute where the data is: move W and b to X.device (not to a fixed or global device) "
        "and leave the result there; the caller decides when to bring it back.")
    if tuple(out.shape) != (5, 2):
        fail(f"With X on the GPU stand-in, `predict` returned shape {list(out.shape)}; it should be [5, 2].",
             failure="wrong-shape")

    if torch.cuda.is_available():  # a real GPU: the same test with real numbers
        out = predict(X.cuda(), W, b)
        expect_tensor(out, (X @ W + b).cuda(), name="predict(X on cuda, W and b on cpu)")


def _check_to_numpy(ex):
    to_numpy = ex.function("to_numpy")
    plain = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    arr = to_numpy(plain)
    if arr is None:
        fail("`to_numpy(t)` returned None: replace `return None` with your code.", failure="placeholder")
    if not isinstance(arr, np.ndarray):
        fail(f"`to_numpy(t)` should return a NumPy array, but it returned {describe(arr)}.", failure="wrong-type")
    if arr.shape != (2, 3) or not np.allclose(arr, plain.numpy()):
        fail(f"`to_numpy(t)` returned an array of shape {arr.shape} holding {arr.tolist()!r}; "
             f"it should hold the tensor's values {plain.tolist()!r}.", failure="wrong-values")

    tracked = torch.arange(3, dtype=torch.float32).requires_grad_() * 2
    arr = ex.call("to_numpy", tracked, errors=[NUMPY_REQUIRES_GRAD],
                  doing="Calling `to_numpy(t)` on a tensor that tracks gradients")
    if not isinstance(arr, np.ndarray) or not np.allclose(arr, [0.0, 2.0, 4.0]):
        fail(f"`to_numpy(t)` on a tensor that tracks gradients returned {describe(arr)}; it should be the array [0, 2, 4].",
             failure="wrong-values")

    raw = ex.get("to_numpy")

    def copies_to_cpu(t):
        """True when to_numpy asked for t's data on the CPU (a meta tensor has none to give)."""
        try:
            raw(t)
        except NotImplementedError as exc:
            if "meta" in str(exc):
                return True
            raise
        return False

    if not ex.call(copies_to_cpu, torch.empty(3, device="meta"), errors=NUMPY_ON_GPU,
                   doing="Calling `to_numpy(t)` on the GPU stand-in"):
        fail("`to_numpy` returned something for a tensor on the GPU stand-in without copying its data to the CPU.",
             "A tensor on another device has to come to the CPU before NumPy can read it: t.detach().cpu().numpy().",
             failure="numpy-needs-cpu")


def check(ex):
    _check_pick_device(ex)
    _check_predict(ex)
    _check_to_numpy(ex)
    return "pick_device asks PyTorch, predict computes where X lives, and to_numpy detaches, copies to the CPU, converts."

"""A stand-in GPU for the gpu-training checkers, so that every check runs on a CPU-only machine.

The "GPU" is PyTorch's meta device: tensors with a shape and a dtype but no numbers. Mixing a
meta tensor with a CPU tensor in one operation raises the same kind of RuntimeError as mixing
cuda:0 and cpu, so a loop that forgets a `.to(device)` fails here as it would on a GPU.

What a meta tensor cannot do is give numbers back. Under :class:`StandInGPU`, reading one
(`.item()`, `.tolist()`, `float(t)`, `bool(t)`) gives zeros, and copying one to the CPU
(`.cpu()`, `.to("cpu")`) gives a CPU tensor of zeros of the same shape and dtype, as a real
copy from a GPU would give a CPU tensor. The mode also records every `.to()` that sends a
CPU tensor to the stand-in, so a checker can tell "never moved" from "moved, but the moved
copy was thrown away".

:class:`DeviceWatch` records the devices of a model's inputs on every forward call.
"""

from __future__ import annotations

import contextlib
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

GPU = torch.device("meta")
READS = {"item", "tolist", "__float__", "__int__", "__bool__", "__index__", "numpy"}


def _target_device(args: tuple, kwargs: dict) -> torch.device | None:
    """The device a ``Tensor.to(...)`` call asks for, or None (a dtype-only call)."""
    candidates = list(args[1:]) + [kwargs.get("device")]
    for c in candidates:
        if isinstance(c, torch.device):
            return c
        if isinstance(c, str):
            try:
                return torch.device(c)
            except RuntimeError:
                continue
        if isinstance(c, torch.Tensor):
            return c.device
    return None


class StandInGPU(TorchFunctionMode):
    """Run learner code with the meta device standing in for a GPU (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: set[int] = set()          # ids of CPU tensors that had .to(GPU) called on them
        self.moved: dict[int, str] = {}      # id of a non-meta tensor -> the device type a .to() asked for
        self.copied_home = 0                 # meta tensors copied to the CPU

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        first = args[0] if args else None
        if isinstance(first, torch.Tensor):
            if first.is_meta and name in READS:
                zeros = torch.zeros(first.shape, dtype=first.dtype)
                if name == "numpy":
                    return zeros.numpy()
                if name == "tolist":
                    return zeros.tolist()
                if name == "__bool__":
                    return False
                return zeros.reshape(-1)[0].item() if zeros.numel() else 0
            if name in ("to", "cpu"):
                target = torch.device("cpu") if name == "cpu" else _target_device(args, kwargs)
                if target is not None and first.is_meta and target.type == "cpu":
                    self.copied_home += 1
                    dtype = next((a for a in list(args[1:]) + [kwargs.get("dtype")]
                                  if isinstance(a, torch.dtype)), first.dtype)
                    return torch.zeros(first.shape, dtype=dtype)
                if target is not None and not first.is_meta:
                    self.moved[id(first)] = target.type
                    if target.type == "meta":
                        self.sent.add(id(first))
        return func(*args, **kwargs)


class DeviceWatch:
    """Records, for every forward call of ``model``, the devices of its tensor inputs."""

    def __init__(self, model: torch.nn.Module):
        self.inputs: list[tuple[int, torch.device]] = []
        self._handle = model.register_forward_pre_hook(self._hook)

    def _hook(self, module: Any, args: tuple) -> None:
        for a in args:
            if isinstance(a, torch.Tensor):
                self.inputs.append((id(a), a.device))

    def devices(self) -> set[str]:
        return {d.type for _, d in self.inputs}

    def close(self) -> None:
        self._handle.remove()


def parameter_devices(model: torch.nn.Module) -> set[str]:
    return {p.device.type for p in model.parameters()}


def is_device_mismatch(exc: BaseException) -> bool:
    text = str(exc)
    return isinstance(exc, RuntimeError) and ("expected device" in text or "same device" in text
                                              or "is not on the expected device" in text)


@contextlib.contextmanager
def cuda_reports(available: bool, probe: Any = None):
    """Make PyTorch report a CUDA GPU (or none): torch.cuda.is_available, and the generic
    torch.accelerator API where this PyTorch has it. ``probe``, if given, replaces
    torch.cuda.is_available itself (to watch how it is used)."""
    saved = torch.cuda.is_available
    torch.cuda.is_available = probe if probe is not None else (lambda: available)
    mps = getattr(torch.backends, "mps", None)
    saved_mps = getattr(mps, "is_available", None)
    if saved_mps is not None:
        mps.is_available = lambda: False
    accel = getattr(torch, "accelerator", None)
    saved_accel = {}
    if accel is not None:
        for attr, value in (("is_available", lambda: available),
                            ("current_accelerator", lambda *a, **k: torch.device("cuda") if available else None),
                            ("device_count", lambda: 1 if available else 0)):
            if hasattr(accel, attr):
                saved_accel[attr] = getattr(accel, attr)
                setattr(accel, attr, value)
    try:
        yield
    finally:
        torch.cuda.is_available = saved
        if saved_mps is not None:
            mps.is_available = saved_mps
        for attr, value in saved_accel.items():
            setattr(accel, attr, value)


class IsAvailableProbe:
    """Stands in for torch.cuda.is_available: answers ``answer`` when called, and records
    whether it was called or only tested for truth (the missing-parentheses slip)."""

    def __init__(self, answer: bool):
        self.answer = answer
        self.called = 0
        self.truth_tested = 0

    def __call__(self) -> bool:
        self.called += 1
        return self.answer

    def __bool__(self) -> bool:
        self.truth_tested += 1
        return True                    # a function object is always true: that is the slip

"""Tensor widgets: CPU vs GPU timing, the NumPy shared-memory surprise, the precision spectrum."""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Callable

from .errors import WidgetError, finite

# --------------------------------------------------------------------------- device timing
OPS = ("add", "matmul")
MAX_ELEMENTS = 20_000_000
MAX_REPEATS = 100


@dataclass
class Accelerator:
    """A device to time against the CPU: torch device string, display name, and a barrier
    that waits for queued kernels (GPU calls return before the work is done)."""

    device: str
    name: str
    synchronize: Callable[[], None]


def _accelerator() -> Accelerator | None:
    """The GPU PyTorch can use here (CUDA, else Apple MPS), or None."""
    import torch

    if torch.cuda.is_available():
        return Accelerator("cuda", torch.cuda.get_device_name(0), torch.cuda.synchronize)
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return Accelerator("mps", "Apple GPU (MPS)", torch.mps.synchronize)
    return None


def _median_ms(fn: Callable[[], object], repeats: int, sync: Callable[[], None]) -> float:
    """Median wall time of ``fn`` in milliseconds after one warm-up call, syncing around each run."""
    fn()
    sync()
    times = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def whole_numbers(name: str, values, upper: int, what: str = "whole numbers") -> list[int]:
    """One or more whole numbers between 1 and ``upper`` (a single number is accepted), or WidgetError."""
    if isinstance(values, (int, float, str)):
        values = [values]
    try:
        out = [int(v) for v in values]
    except (TypeError, ValueError):
        raise WidgetError(f"{name} must be {what}, not {values!r}.") from None
    bad = [v for v in out if not 1 <= v <= upper]
    if not out or bad:
        shown = f"{bad[0]:,} is not" if bad else "there are none"
        raise WidgetError(f"{name} must be one or more whole numbers between 1 and {upper:,}; {shown}.")
    return out


def _sizes(values) -> list[int]:
    return whole_numbers("sizes", values, MAX_ELEMENTS, "whole numbers of elements")


def _repeats(value) -> int:
    try:
        repeats = int(value)
    except (TypeError, ValueError):
        raise WidgetError(f"repeats must be a whole number, not {value!r}.") from None
    if not 1 <= repeats <= MAX_REPEATS:
        raise WidgetError(f"repeats must be between 1 and {MAX_REPEATS}, not {repeats}.")
    return repeats


def device_timing(sizes: tuple[int, ...] = (10, 1_000, 100_000, 10_000_000), repeats: int = 5,
                  op: str = "add") -> dict:
    """Time one operation on the CPU and (when there is one) the GPU, across tensor sizes.

    ``op`` is ``"add"`` (elementwise ``a * b + a`` on ``size`` elements) or ``"matmul"``
    (square matrices with about ``size`` elements each). Each time is the median of
    ``repeats`` runs after a warm-up. The GPU side reports compute alone, the transfers
    (inputs to the GPU, result back), and their total, which is what a program pays.
    Without a GPU the result holds the CPU side, ``gpu_available: False`` and a note.
    """
    import torch

    sizes = _sizes(sizes)
    repeats = _repeats(repeats)
    if op not in OPS:
        raise WidgetError(f"op must be one of {', '.join(OPS)}, not {op!r}.")

    def run(a, b):
        return a @ b if op == "matmul" else a * b + a

    gpu = _accelerator()
    startup_ms = None
    if gpu is not None:
        start = time.perf_counter()
        torch.zeros(1, device=gpu.device) + 1  # first use creates the GPU context: slow, once
        gpu.synchronize()
        startup_ms = (time.perf_counter() - start) * 1000.0

    rows = []
    generator = torch.Generator().manual_seed(0)
    for size in sizes:
        shape = [max(1, math.isqrt(size))] * 2 if op == "matmul" else [size]
        a, b = torch.randn(shape, generator=generator), torch.randn(shape, generator=generator)
        row = {"size": size, "shape": shape, "cpu_ms": _median_ms(lambda: run(a, b), repeats, lambda: None),
               "gpu_compute_ms": None, "gpu_transfer_ms": None, "gpu_total_ms": None,
               "faster": "cpu", "gpu_speedup": None}
        if gpu is not None:
            dev = gpu.device
            to_ms = _median_ms(lambda: (a.to(dev), b.to(dev)), repeats, gpu.synchronize)
            ga, gb = a.to(dev), b.to(dev)
            compute_ms = _median_ms(lambda: run(ga, gb), repeats, gpu.synchronize)
            result = run(ga, gb)
            back_ms = _median_ms(lambda: result.to("cpu"), repeats, gpu.synchronize)
            total = to_ms + compute_ms + back_ms
            row.update(gpu_compute_ms=compute_ms, gpu_transfer_ms=to_ms + back_ms, gpu_total_ms=total,
                       faster="gpu" if total < row["cpu_ms"] else "cpu",
                       gpu_speedup=row["cpu_ms"] / total if total > 0 else None)
            del ga, gb, result
        rows.append(row)

    label = "a * b + a" if op == "add" else "a @ b"
    if gpu is None:
        note = ("No GPU is visible to PyTorch here (torch.cuda.is_available() is False), so only the CPU side "
                "was timed. Run this on a machine with a GPU to see the other side: tiny tensors are faster on "
                "the CPU, because launching work on a GPU and moving data to it has a fixed cost; very large "
                "ones are much faster on the GPU.")
        summary = f"CPU times for {label}; no GPU to compare with."
    else:
        wins = [r["size"] for r in rows if r["faster"] == "gpu"]
        note = (f"GPU times include copying the inputs to the GPU and the result back. The first GPU call "
                f"took {startup_ms:.0f} ms to set the GPU up; that one-off cost is not in the table.")
        summary = (f"For {label}, the GPU (transfers included) wins from {wins[0]:,} elements up."
                   if wins else f"For {label}, the CPU won at every size tried: the transfers cost more than the GPU saved.")
    return {
        "widget": "device-timing",
        "op": op,
        "expression": label,
        "repeats": repeats,
        "dtype": "float32",
        "gpu_available": gpu is not None,
        "gpu_device": gpu.device if gpu else None,
        "gpu_name": gpu.name if gpu else None,
        "gpu_startup_ms": startup_ms,
        "cpu_threads": torch.get_num_threads(),
        "rows": rows,
        "note": note,
        "summary": summary,
    }


# --------------------------------------------------------------------------- numpy shared memory
def numpy_shared_memory() -> dict:
    """The shared-memory surprise, run for real.

    Three conversions, each followed by a change to one side: ``torch.from_numpy(a)``
    and ``t.numpy()`` share memory, so the other side changes too; ``torch.tensor(a)``
    copies, so it does not. Returns ``cases``: for each, the ``code`` run, which side
    was changed, the ``before``/``after`` values of both sides, ``shares_memory`` and
    ``other_side_changed``; plus ``summary`` and ``fix``.
    """
    import numpy as np
    import torch

    def values(obj) -> list[float]:
        return [float(v) for v in (obj.tolist())]

    def from_numpy():
        a = np.array([1.0, 2.0, 3.0])
        return a, torch.from_numpy(a)

    def to_numpy():
        t = torch.tensor([1.0, 2.0, 3.0])
        return t.numpy(), t

    def copied():
        a = np.array([1.0, 2.0, 3.0])
        return a, torch.tensor(a)

    # (the call, the code shown, how it makes the (array, tensor) pair, the side then changed)
    conversions = [
        ("torch.from_numpy(a)", "a = np.array([1., 2., 3.])\nt = torch.from_numpy(a)\na[0] = 100", from_numpy, "numpy"),
        ("t.numpy()", "t = torch.tensor([1., 2., 3.])\na = t.numpy()\nt[0] = 100", to_numpy, "tensor"),
        ("torch.tensor(a)", "a = np.array([1., 2., 3.])\nt = torch.tensor(a)\na[0] = 100", copied, "numpy"),
    ]
    cases = []
    for call, code, make, changed_side in conversions:
        arr, ten = make()
        before = {"numpy": values(arr), "tensor": values(ten)}
        (arr if changed_side == "numpy" else ten)[0] = 100.0
        cases.append({"call": call, "code": code, "changed_side": changed_side, "before": before,
                      "after": {"numpy": values(arr), "tensor": values(ten)},
                      "shares_memory": bool(np.shares_memory(arr, ten.numpy())), "tensor_dtype": str(ten.dtype)})

    for case in cases:
        other = "tensor" if case["changed_side"] == "numpy" else "numpy"
        case["other_side_changed"] = case["before"][other] != case["after"][other]
    return {
        "widget": "numpy-shared-memory",
        "cases": cases,
        "summary": ("torch.from_numpy() and .numpy() share memory: change one and the other changes too, "
                    "silently. torch.tensor() copies, so the two are independent."),
        "fix": "When you need an independent copy, use torch.tensor(a), torch.from_numpy(a).clone() or t.numpy().copy().",
    }


# --------------------------------------------------------------------------- precision spectrum
PRECISION_DTYPES = ("float64", "float32", "bfloat16", "float16")
_MEASURING = {"float64": "micrometer", "float32": "ruler",
              "bfloat16": "tape measure as long as the ruler", "float16": "tape measure"}


def precision_spectrum(value: float = 1e-8) -> dict:
    """float64 -> float32 -> bfloat16 -> float16: what each keeps, and what ``value`` becomes.

    For each dtype: bytes per number, machine epsilon (the gap after 1.0), the largest
    finite number, the smallest normal and subnormal numbers, about how many decimal
    digits it holds, and ``value`` as stored (``underflows`` when it becomes 0). The
    default 1e-8 is a typical tiny gradient: float16 rounds it to zero, which is why
    mixed precision keeps gradients in float32 and scales the loss.
    """
    import torch

    value = finite("value", value)
    rows = []
    for name in PRECISION_DTYPES:
        dtype = getattr(torch, name)
        info = torch.finfo(dtype)
        stored = float(torch.tensor(value, dtype=torch.float64).to(dtype).to(torch.float64))
        rel_error = abs(stored - value) / abs(value) if value else 0.0
        rows.append({
            "dtype": name, "bytes": info.bits // 8, "eps": info.eps, "max": info.max,
            "smallest_normal": info.smallest_normal, "smallest_subnormal": _smallest_subnormal(dtype),
            "decimal_digits": round(-math.log10(info.eps), 1), "stored": stored,
            "relative_error": rel_error, "underflows": value != 0 and stored == 0,
            "overflows": math.isinf(stored), "like": _MEASURING[name],
        })
    lost = [r["dtype"] for r in rows if r["underflows"]]
    summary = (f"{value:g} survives in every dtype." if not lost else
               f"{value:g} becomes 0 in {', '.join(lost)}: too small for its range. Gradients that small vanish "
               "unless the loss is scaled up first (mixed precision's GradScaler).")
    return {"widget": "precision-spectrum", "value": value, "rows": rows, "summary": summary}


def _smallest_subnormal(dtype) -> float:
    """The smallest positive number ``dtype`` can hold (below smallest_normal, with fewer digits)."""
    import torch

    one = torch.tensor(0.0, dtype=dtype)
    return float(torch.nextafter(one, torch.tensor(1.0, dtype=dtype)).to(torch.float64))

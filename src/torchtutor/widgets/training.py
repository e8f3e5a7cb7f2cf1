"""Training widgets: does a GPU help this training step? Measured, never assumed."""

from __future__ import annotations

import math

from .errors import WidgetError
from .tensors import _accelerator, _median_ms, whole_numbers

MAX_WIDTH = 4096
MAX_BATCH = 8192
MAX_REPEATS = 50
QUICK_EPOCH_S = 30.0  # the course's rule of thumb: under this on the CPU, a GPU probably won't help much


def _mlp(width: int, features: int, classes: int):
    import torch.nn as nn

    return nn.Sequential(nn.Linear(features, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, classes))


def training_timing(widths: tuple[int, ...] = (64, 1024), batches: tuple[int, ...] = (64, 1024),
                    repeats: int = 5, samples: int = 60_000) -> dict:
    """Time one training step (forward, loss, backward, Adam step) of an MLP on 784 features
    and 10 classes, for each hidden ``width`` and ``batch`` size, on the CPU and, when there
    is one, on the GPU with the batch copied over each step as a real loop does.

    Each time is the median of ``repeats`` steps after a warm-up step. ``samples`` is the
    size of one epoch (Fashion-MNIST's training set by default): the epoch estimate is the
    step time times the number of batches, and it is set against the course's rule of thumb
    (under about 30 s an epoch on the CPU, a GPU probably won't help much). Without a GPU
    the result holds the CPU side, ``gpu_available: False`` and a note saying what to do.
    """
    import torch

    widths = whole_numbers("widths", widths, MAX_WIDTH)
    batches = whole_numbers("batches", batches, MAX_BATCH)
    try:
        repeats = int(repeats)
        samples = int(samples)
    except (TypeError, ValueError):
        raise WidgetError(f"repeats and samples must be whole numbers, not {repeats!r} and {samples!r}.") from None
    if not 1 <= repeats <= MAX_REPEATS:
        raise WidgetError(f"repeats must be between 1 and {MAX_REPEATS}, not {repeats}.")
    if not 1 <= samples <= 10_000_000:
        raise WidgetError(f"samples must be between 1 and 10,000,000, not {samples:,}.")

    gpu = _accelerator()
    generator = torch.Generator().manual_seed(0)

    def step_ms(width: int, batch: int, device: str, sync) -> float:
        torch.manual_seed(0)
        model = _mlp(width, 784, 10).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.rand(batch, 784, generator=generator)         # on the CPU, as a DataLoader hands it out
        y = torch.randint(0, 10, (batch,), generator=generator)

        def step():
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x.to(device)), y.to(device))
            loss.backward()
            optimizer.step()

        return _median_ms(step, repeats, sync)

    rows = []
    for width in widths:
        params = sum(p.numel() for p in _mlp(width, 784, 10).parameters())
        for batch in batches:
            cpu_ms = step_ms(width, batch, "cpu", lambda: None)
            steps = math.ceil(samples / batch)
            row = {"width": width, "parameters": params, "batch": batch, "cpu_ms": cpu_ms,
                   "gpu_ms": None, "faster": "cpu", "gpu_speedup": None, "steps_per_epoch": steps,
                   "cpu_epoch_s": cpu_ms * steps / 1000.0, "gpu_epoch_s": None}
            row["quick_on_cpu"] = row["cpu_epoch_s"] < QUICK_EPOCH_S
            if gpu is not None:
                gpu_ms = step_ms(width, batch, gpu.device, gpu.synchronize)
                row.update(gpu_ms=gpu_ms, gpu_epoch_s=gpu_ms * steps / 1000.0,
                           faster="gpu" if gpu_ms < cpu_ms else "cpu",
                           gpu_speedup=cpu_ms / gpu_ms if gpu_ms > 0 else None)
            rows.append(row)

    quick = [r for r in rows if r["quick_on_cpu"]]
    if gpu is None:
        note = ("No GPU is visible to PyTorch here (torch.cuda.is_available() is False), so only the CPU was "
                "timed. Decide from these numbers: where one epoch takes under about 30 seconds on the CPU, a GPU "
                "probably won't help much. Where it takes longer, run the same script on a machine with a GPU "
                "(a free Google Colab GPU runtime, say): the portable device line picks it up unchanged.")
        summary = (f"{len(quick)} of {len(rows)} settings train an epoch of {samples:,} samples in under "
                   f"{QUICK_EPOCH_S:.0f} s on this CPU.")
    else:
        wins = [r for r in rows if r["faster"] == "gpu"]
        note = (f"GPU times include copying each batch to the {gpu.name} and waiting for the step to finish "
                "(synchronize). The first GPU step of each setting was a warm-up and is not counted.")
        summary = (f"The GPU was faster in {len(wins)} of {len(rows)} settings"
                   + (f", up to {max(r['gpu_speedup'] for r in wins):.1f}x." if wins else
                      ": at these sizes the launch and transfer overhead cost more than the GPU saved."))
    return {
        "widget": "training-timing",
        "model": "MLP 784 -> width -> width -> 10, Adam, cross-entropy",
        "repeats": repeats,
        "samples": samples,
        "quick_epoch_s": QUICK_EPOCH_S,
        "gpu_available": gpu is not None,
        "gpu_device": gpu.device if gpu else None,
        "gpu_name": gpu.name if gpu else None,
        "cpu_threads": torch.get_num_threads(),
        "rows": rows,
        "note": note,
        "summary": summary,
    }

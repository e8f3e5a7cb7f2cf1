"""The training-timing widget: CPU-only result, the GPU branch with a stand-in accelerator, errors."""

from __future__ import annotations

import json

import pytest
import torch

from torchtutor import widgets
from torchtutor.widgets import get, tensors as tensor_widgets, training
from torchtutor.widgets.errors import WidgetError


def test_training_timing_without_a_gpu_says_so_and_decides_from_the_cpu(monkeypatch):
    monkeypatch.setattr(training, "_accelerator", lambda: None)
    r = widgets.training_timing(widths=(8,), batches=(4, 16), repeats=1, samples=100)
    assert r["gpu_available"] is False and "No GPU" in r["note"] and "30 seconds" in r["note"]
    assert [row["batch"] for row in r["rows"]] == [4, 16]
    for row in r["rows"]:
        assert row["cpu_ms"] > 0 and row["gpu_ms"] is None
        assert row["steps_per_epoch"] == -(-100 // row["batch"])
        assert row["cpu_epoch_s"] == pytest.approx(row["cpu_ms"] * row["steps_per_epoch"] / 1000)
        assert row["quick_on_cpu"] == (row["cpu_epoch_s"] < 30)
    # parameters of 784 -> 8 -> 8 -> 10: (784*8 + 8) + (8*8 + 8) + (8*10 + 10)
    assert r["rows"][0]["parameters"] == 6280 + 72 + 90
    json.dumps(r, allow_nan=False)


def test_training_timing_gpu_branch_synchronizes(monkeypatch):
    """A stand-in accelerator that is really the CPU: the GPU side is timed and synchronized."""
    syncs = []
    fake = tensor_widgets.Accelerator("cpu", "Fake GPU", lambda: syncs.append(1))
    monkeypatch.setattr(training, "_accelerator", lambda: fake)
    r = widgets.training_timing(widths=(8,), batches=(4,), repeats=2, samples=40)
    assert r["gpu_available"] and r["gpu_name"] == "Fake GPU" and syncs
    row = r["rows"][0]
    assert row["gpu_ms"] > 0 and row["faster"] in ("cpu", "gpu") and row["gpu_speedup"] > 0
    assert "GPU" in r["summary"]
    json.dumps(r, allow_nan=False)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_training_timing_real_gpu():
    r = widgets.training_timing(widths=(64,), batches=(64,), repeats=2, samples=640)
    assert r["gpu_available"] and r["gpu_device"] == "cuda" and r["rows"][0]["gpu_ms"] > 0


@pytest.mark.parametrize("args, message", [
    (["--widths", "0"], "widths must be one or more whole numbers between 1 and 4,096; 0 is not"),
    (["--batches", "99999"], "batches must be one or more whole numbers between 1 and 8,192"),
    (["--repeats", "0"], "repeats must be between 1 and 50, not 0"),
    (["--samples", "0"], "samples must be between 1 and 10,000,000"),
])
def test_training_timing_errors_are_one_paragraph(args, message):
    with pytest.raises(WidgetError) as info:
        get("training-timing").run_args(args)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_training_timing_renders_in_the_terminal(monkeypatch):
    from rich.console import Console

    from torchtutor import render

    monkeypatch.setattr(training, "_accelerator", lambda: None)
    console = Console(record=True, width=80)
    render.widget(console, widgets.training_timing(widths=(8,), batches=(4,), repeats=1, samples=40))
    text = console.export_text()
    assert "CPU epoch" in text and "No GPU is visible" in text

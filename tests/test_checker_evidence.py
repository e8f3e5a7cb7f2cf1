"""Checker behaviour that a slip table cannot express: helpers called directly, crashes
translated through the diagnose catalogue, and probes that must leave torch as they found it.
(The slips themselves are in each lesson's slips.toml, run by tests/test_slips.py.)"""

from __future__ import annotations

import importlib.util
import sys
import warnings

import pytest
import torch
import torch.nn as nn
import torch.optim.optimizer as optimizer_module

from torchtutor.checks.harness import run_exercise
from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.files import exercise_files
from torchtutor.curriculum.slips import Slip, build_source, load_slips

COURSE = load_or_raise()


def _run(lesson_slug: str, slip: Slip, tmp_path):
    lesson = COURSE.lesson(lesson_slug)
    files = exercise_files(lesson, lesson.exercise(slip.exercise))
    learner = tmp_path / files.starter.name
    learner.write_text(build_source(lesson, slip), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_exercise(f"{lesson.slug}/{slip.exercise}", str(learner), str(files.checker))


def _load_checker(lesson_slug: str, exercise_id: str):
    lesson = COURSE.lesson(lesson_slug)
    path = exercise_files(lesson, lesson.exercise(exercise_id)).checker
    spec = importlib.util.spec_from_file_location(f"checker_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def test_identical_examples_show_accumulation_as_multiples() -> None:
    checker = _load_checker("autograd", "accumulation-trap")
    with pytest.raises(Exception) as info:
        checker._explain_running_sums([8.0, 16.0, 24.0], [8.0, 8.0, 8.0], "three identical examples")
    details = "\n".join(info.value.details)
    assert "16 = 2x 8" in details and "24 = 3x 8" in details
    assert info.value.failure == "missing-zero-grad"


def test_checkers_translate_crashes_through_the_diagnose_catalogue(tmp_path) -> None:
    """One mistake engine: a crash the catalogue knows carries the catalogue's id next to the lesson's tag."""
    table, _ = load_slips(COURSE.lesson("autograd"))
    catalogued = {"update-outside-no-grad", "non-scalar-backward", "inplace-autograd-conflict"}
    chosen = [s for s in table.slip if s.failure in catalogued]
    assert len(chosen) >= 3
    translated = []
    for slip in chosen:
        verdict = _run("autograd", slip, tmp_path)
        assert not verdict.passed and verdict.failure == slip.failure, (slip.label, verdict.summary)
        if slip.failure in verdict.misconceptions:      # the crashes (the others are judged by value)
            translated.append(slip.label)
            assert any(d.startswith("PyTorch said: ") for d in verdict.details), verdict.details
    assert len(translated) >= 3, translated


def test_loop_probe_leaves_torch_as_it_found_it(tmp_path) -> None:
    backward, opt_zero, mod_zero = torch.autograd.backward, torch.optim.Optimizer.zero_grad, nn.Module.zero_grad
    step_hooks = len(getattr(optimizer_module, "_global_optimizer_pre_hooks", {}))
    table, _ = load_slips(COURSE.lesson("training-loop"))
    for slip in [s for s in table.slip if s.exercise == "linear-regression"][:4]:
        assert not _run("training-loop", slip, tmp_path).passed
    assert torch.autograd.backward is backward
    assert torch.optim.Optimizer.zero_grad is opt_zero
    assert nn.Module.zero_grad is mod_zero
    assert len(getattr(optimizer_module, "_global_optimizer_pre_hooks", {})) == step_hooks


def test_backward_counter_leaves_autograd_as_it_found_it(tmp_path) -> None:
    backward, grad = torch.autograd.backward, torch.autograd.grad
    table, _ = load_slips(COURSE.lesson("autograd"))
    for slip in [s for s in table.slip if s.exercise in ("polynomial-gradients", "reproduce-network")][:4]:
        assert not _run("autograd", slip, tmp_path).passed
    assert torch.autograd.backward is backward and torch.autograd.grad is grad

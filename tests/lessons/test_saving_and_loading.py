"""saving-and-loading: the numbers its text states hold.

The lesson's code samples run (their output and figure compared) in tests/test_lessons.py, and its slip table
runs with every other lesson's. Here the samples run once more, in one namespace, to read what they leave behind.
"""

from __future__ import annotations

import contextlib
import io
import os

import pytest
import torch
import torch.nn as nn

from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.markdown import code_blocks

LESSON = load_or_raise().lesson("saving-and-loading")


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Small models: on a shared 2-core machine one intra-op thread is by far the fastest."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def lesson_namespace(one_thread, tmp_path_factory):
    """Run every sample up to (not including) the one that deletes the temporary folder."""
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("saving"))          # the figure is saved into the current folder
    namespace: dict = {"__name__": "__lesson__"}
    for block in code_blocks((LESSON.dir / "lesson.md").read_text(encoding="utf-8")):
        if block.lang != "python":
            continue
        if "scratch.cleanup()" in block.code:
            break
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(block.code, f"lesson.md:{block.line}", "exec"), namespace)
        except Exception:
            if not block.options.get("raises"):
                raise
    os.chdir(here)
    yield namespace
    namespace["scratch"].cleanup()


def test_the_resume_numbers_the_text_states(lesson_namespace) -> None:
    ns = lesson_namespace
    uninterrupted, smooth, amnesia = ns["uninterrupted"], ns["smooth"], ns["amnesia"]
    assert smooth == uninterrupted                       # "the same run, to the last bit"
    assert amnesia[100] == uninterrupted[100]            # epoch 101 records its loss before the first fresh step
    assert amnesia[101] > uninterrupted[101]             # the jump shows from epoch 102 on
    assert amnesia[102] > 4 * uninterrupted[102]         # "more than quadruples by epoch 103"
    assert 1.6 < amnesia[-1] / uninterrupted[-1] < 2.0   # "still almost twice ... after 60 epochs"


def test_a_checkpoint_with_adam_is_about_three_times_the_weights(lesson_namespace) -> None:
    workdir = lesson_namespace["workdir"]
    net = lesson_namespace["make_net"]()
    torch.save(net.state_dict(), workdir / "net-weights.pt")
    ratio = (workdir / "epoch-100.pt").stat().st_size / (workdir / "net-weights.pt").stat().st_size
    assert 2.7 < ratio < 3.3


def test_early_stopping_stopped_for_a_reason(lesson_namespace) -> None:
    """The text says the same model, left to run 300 epochs, climbs to about 0.13 on the validation data."""
    ns = lesson_namespace
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(1, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    criterion = nn.MSELoss()
    for _ in range(300):
        optimizer.zero_grad()
        criterion(model(ns["X_few"]), ns["y_few"]).backward()
        optimizer.step()
    with torch.no_grad():
        late = criterion(model(ns["X_check"]), ns["y_check"]).item()
    assert 0.115 < late < 0.145
    assert late > ns["restored_loss"] * 1.2
    assert sum(p.numel() for p in model.parameters()) == 16_897

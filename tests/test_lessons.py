"""Every code sample of every lesson runs, every output block is what it prints, and every
figure a lesson shows is the picture its own code draws."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # lesson figures are drawn off-screen, before anything imports pyplot

import numpy as np
import pytest
import torch
from matplotlib.image import imread

from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.markdown import code_blocks

COURSE = load_or_raise()
FIGURE = re.compile(r"!\[[^\]]*\]\((figures/[^)\s]+\.png)\)")
# Fonts and antialiasing differ a little between matplotlib builds; a different picture differs far more.
FIGURE_TOLERANCE = 0.02
UPDATE_FIGURES = bool(os.environ.get("TORCHTUTOR_UPDATE_FIGURES"))


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.fixture
def one_thread():
    """Reductions split over threads round differently; one thread makes the printed numbers the same everywhere."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def run_samples(lesson) -> dict:
    """Run a lesson's python blocks top to bottom in one namespace, as a notebook would;
    each output block must be what its block printed. Returns the namespace."""
    path = lesson.dir / "lesson.md"
    blocks = [b for b in code_blocks(path.read_text(encoding="utf-8")) if b.lang == "python"]
    assert blocks, f"{path} has no runnable code sample"
    namespace: dict = {"__name__": "__lesson__"}
    for block in blocks:
        where = f"{path}:{block.line}"
        out = io.StringIO()
        expected_error = block.options.get("raises")
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, where, "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - we compare the type by name below
            names = {cls.__name__ for cls in type(exc).__mro__}
            assert expected_error and expected_error in names, f"{where}: raised {type(exc).__name__}: {exc}"
        else:
            assert not expected_error, f"{where}: expected {expected_error}, but the sample ran without error"
        if block.output is not None:
            assert _normalise(out.getvalue()) == _normalise(block.output.code), f"{where}: output differs"
    return namespace


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=[l.slug for l in COURSE.lessons])
def test_lesson_samples_run_and_show_their_real_output(lesson, tmp_path, monkeypatch, one_thread) -> None:
    monkeypatch.chdir(tmp_path)
    run_samples(lesson)
    check_figures(lesson.dir, (lesson.dir / "lesson.md").read_text(encoding="utf-8"), tmp_path)


def check_figures(lesson_dir: Path, text: str, drawn_in: Path) -> None:
    """Each ![...](figures/NAME.png) is drawn by the lesson's code as NAME.png and matches the shipped file."""
    shown = FIGURE.findall(text)
    for ref in shown:
        drawn, shipped = drawn_in / Path(ref).name, lesson_dir / ref
        assert drawn.is_file(), f"{lesson_dir / 'lesson.md'} shows {ref}, but no code sample saves {drawn.name}"
        if UPDATE_FIGURES:
            shipped.parent.mkdir(exist_ok=True)
            shutil.copyfile(drawn, shipped)
        assert shipped.is_file(), (f"{shipped} is missing; draw it with "
                                   "TORCHTUTOR_UPDATE_FIGURES=1 pytest tests/test_lessons.py")
        new, old = imread(drawn), imread(shipped)
        assert new.shape == old.shape, f"{shipped}: the lesson now draws a {new.shape} image, the shipped one is {old.shape}"
        difference = float(np.abs(new - old).mean())
        assert difference < FIGURE_TOLERANCE, (f"{shipped} is not the picture the lesson's code draws "
                                               f"(mean pixel difference {difference:.3f}); redraw it with "
                                               "TORCHTUTOR_UPDATE_FIGURES=1 pytest tests/test_lessons.py")
    folder = lesson_dir / "figures"
    if folder.is_dir():
        unused = sorted(p.name for p in folder.iterdir() if f"figures/{p.name}" not in shown)
        assert unused == [], f"{folder} holds figures the lesson never shows: {unused}"


def test_autograd_payoff_matches_the_hand_chain_rule(tmp_path, monkeypatch, one_thread) -> None:
    monkeypatch.chdir(tmp_path)
    hand = run_samples(COURSE.lesson("autograd"))["hand"]
    assert [round(hand[n], 3) for n in ("w1", "b1", "w2", "b2")] == [1.356, 0.678, -2.486, -2.26]

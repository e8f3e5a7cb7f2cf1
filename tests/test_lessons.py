"""Every code sample of every lesson runs, and every output block is what it prints."""

from __future__ import annotations

import contextlib
import io

import pytest

from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.markdown import code_blocks

COURSE = load_or_raise()


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


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
def test_lesson_samples_run_and_show_their_real_output(lesson, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_samples(lesson)


def test_autograd_payoff_matches_the_hand_chain_rule(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    hand = run_samples(COURSE.lesson("autograd"))["hand"]
    assert [round(hand[n], 3) for n in ("w1", "b1", "w2", "b2")] == [1.356, 0.678, -2.486, -2.26]

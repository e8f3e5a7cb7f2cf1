"""Every lesson's slip table, run through the harness with the real checker.

A ``[[slip]]`` in ``<lesson>/slips.toml`` is a wrong answer a learner would write; its
verdict must fail with the declared failure tag, name the declared misconception and
contain the declared words. An ``[[alternative]]`` is a correct solution written another
way; it must pass. The tables are discovered from the course, so a new lesson's table
is tested without touching this file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from torchtutor.checks.harness import run_exercise
from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.files import exercise_files, slips_path
from torchtutor.curriculum.slips import Alternative, Slip, build_source, load_slips

COURSE = load_or_raise()


def _tables():
    out = []
    for lesson in COURSE.lessons:
        table, problems = load_slips(lesson)
        out.append((lesson, table, problems))
    return out


TABLES = _tables()
SLIPS = [(lesson, s) for lesson, table, _ in TABLES if table for s in table.slip]
ALTERNATIVES = [(lesson, a) for lesson, table, _ in TABLES if table for a in table.alternative]


def _id(pair) -> str:
    lesson, entry = pair
    return f"{lesson.slug}/{entry.label}"


def run_entry(lesson, entry: Slip | Alternative, tmp_path: Path):
    ex = lesson.exercise(entry.exercise)
    files = exercise_files(lesson, ex)
    learner = tmp_path / files.starter.name
    learner.write_text(build_source(lesson, entry), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # some slips provoke PyTorch's own warnings, on purpose
        return run_exercise(f"{lesson.slug}/{ex.id}", str(learner), str(files.checker))


def test_every_table_loads_cleanly() -> None:
    assert [str(p) for _, _, problems in TABLES for p in problems] == []


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=[l.slug for l in COURSE.lessons])
def test_every_lesson_has_a_slip_table_covering_its_exercises(lesson) -> None:
    table, _ = load_slips(lesson)
    assert table is not None, f"{slips_path(lesson)} is missing"
    uncovered = {e.id for e in lesson.exercises} - {s.exercise for s in table.slip}
    assert not uncovered, f"exercises with no slip: {sorted(uncovered)}"


@pytest.mark.parametrize("pair", SLIPS, ids=[_id(p) for p in SLIPS])
def test_slip_gets_a_verdict_that_names_it(pair, tmp_path) -> None:
    lesson, slip = pair
    verdict = run_entry(lesson, slip, tmp_path)
    text = verdict.summary + "\n" + "\n".join(verdict.details)
    assert not verdict.passed, f"the slip passed: {verdict.summary}"
    assert verdict.failure == slip.failure, (verdict.failure, text)
    missing = [m for m in slip.misconceptions if m not in verdict.misconceptions]
    assert not missing, (verdict.misconceptions, text)
    for word in slip.says:
        assert word in verdict.summary, f"{word!r} not in the summary: {verdict.summary}"
    for word in slip.explains:
        assert word in text, f"{word!r} not in: {text}"
    assert "Traceback" not in text


@pytest.mark.parametrize("pair", ALTERNATIVES, ids=[_id(p) for p in ALTERNATIVES])
def test_alternative_solution_passes(pair, tmp_path) -> None:
    lesson, alternative = pair
    verdict = run_entry(lesson, alternative, tmp_path)
    text = verdict.summary + "\n" + "\n".join(verdict.details)
    assert verdict.passed, text
    for word in alternative.says:
        assert word in verdict.summary, f"{word!r} not in the summary: {verdict.summary}"
    for word in alternative.explains:
        assert word in text, f"{word!r} not in: {text}"

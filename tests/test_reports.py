"""The generated documents hold their seeds' shape, section by section.

``tests/data/seed_sections.json`` holds the structure of the three seed documents (their
headings, bold section labels and table headers, nothing else), read from
``../shared/seeds`` when that folder is there, so the shape is checked in any checkout.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from torchtutor.curriculum import load
from torchtutor.curriculum.reports import (check_answer, module_plan, module_record, notebook_name,
                                           series_summary)

DATA = Path(__file__).parent / "data" / "seed_sections.json"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _structure(text: str) -> tuple[list[str], list[str]]:
    sections, tables = [], []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^#{1,3} ", line):
            sections.append(line.strip())
        m = re.match(r"^(\*\*[^*]+:\*\*)", line)
        if m:
            sections.append(m.group(1))
        if line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[-| ]+\|$", lines[i + 1].strip()):
            tables.append(line.strip())
    return sections, tables


def _shape(line: str) -> str:
    """A section as the test compares it: a module's state in its heading, and how many
    deliverables are outstanding, differ by design between the seed and today's course."""
    line = re.sub(r"^(### From Module [\d.]+: [^(]+) \(.*\)$", r"\1", line)
    if "outstanding deliverable" in line.lower():
        return "**outstanding deliverables**"
    return line


def _seed(kind: str) -> dict:
    data = json.loads(DATA.read_text(encoding="utf-8"))[kind]
    if SEEDS.is_dir():  # the frozen copy must still match the seed itself
        sections, tables = _structure((SEEDS / data["seed"]).read_text(encoding="utf-8"))
        assert (sections, tables) == (data["sections"], data["tables"]), "tests/data/seed_sections.json is stale"
    return data


def _in_order(wanted: list[str], got: list[str]) -> list[str]:
    """The wanted sections missing from ``got`` in their order (extras in ``got`` are allowed)."""
    rest = iter(_shape(g) for g in got)
    return [w for w in map(_shape, wanted) if not any(w == g for g in rest)]


@pytest.fixture(scope="module")
def course():
    course, problems = load()
    assert course is not None, problems
    return course


@pytest.fixture(scope="module")
def record(course):
    return module_record(course, course.module("2.1"))


def test_the_record_has_the_seed_records_sections_in_order(record):
    seed = _seed("record")
    sections, tables = _structure(record)
    assert _in_order(seed["sections"], sections) == []
    assert tables == seed["tables"]


def test_the_record_states_each_checks_computed_answer(record):
    assert "What is x.grad? (answer: 42)" in record
    assert "(answer: 18)" in record
    assert "(answer: 4.8)" in record and "(answer: 5)" in record


def test_check_answers_come_from_running_the_check(course):
    check = next(c for c in course.lesson("training-loop").checks if c.id == "predict-sgd-step")
    lesson = course.lesson("training-loop")
    assert check_answer(lesson, check) == "4.8"
    changed = check.model_copy(update={"code": check.code.replace("lr=0.1", "lr=0.2")})
    assert check_answer(lesson, changed) == "4.6"


def test_the_record_tells_how_each_lesson_was_taught_from_its_data(course, record):
    for lesson in map(course.lesson, course.module("2.1").lessons):
        block = record.split(f"### {lesson.slug} (")[1].split("\n### ")[0]
        taught = block.split("**How concepts were taught:**")[1].split("\n**")[0]
        assert f"- Hook: {lesson.teaching.hook}" in taught
        assert all(step in taught for step in lesson.teaching.sequence)
        assert "- Negative examples: (1) " in taught


def test_the_key_models_table_lists_each_idea_once_with_where_it_is_used_again(course, record):
    table = record.split("## Key Mental Models and Analogies")[1]
    rows = [line for line in table.splitlines() if line.startswith('| "')]
    names = [row.split('"')[1] for row in rows]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    for text in ("Not magic — automation", "LEGO bricks", "Same heartbeat, new instruments", "Clear, compute, use"):
        assert names.count(text) == 1
    assert not any("rough sketch" in n.lower() and n != "Measuring a rough sketch with a micrometer" for n in names)
    zero_grad = next(r for r in rows if r.startswith('| "zero_grad() = clear the tape'))
    assert "| nn-module, training-loop (" in zero_grad
    assert any(r.startswith('| "Parameters are knobs" (from an earlier series)') for r in rows)
    assert any("Training loop = forward -> loss -> backward -> update" in r for r in rows)


def test_the_plan_has_the_seed_plans_sections_tables_and_numbered_arc(course):
    plan = module_plan(course, course.module("2.1"))
    seed = _seed("plan")
    sections, tables = _structure(plan)
    assert _in_order(seed["sections"], sections) == []
    assert tables[0].startswith(seed["tables"][0]) and tables[1] == seed["tables"][1]
    assert "1. **Tensors** (the data)" in plan and "4. **The training loop**" in plan
    assert "| 2 | autograd | Automatic differentiation: backward() walks the recorded graph | STRETCH |" in plan
    assert "Lesson 2 (autograd):      STRETCH      — One new mechanism, tied back to the theory" in plan
    assert "BUILD -> STRETCH -> BUILD -> CONSOLIDATE." in plan


def test_the_summary_has_the_seed_summarys_sections(course, tmp_path):
    summary = series_summary(course, tmp_path)
    seed = _seed("summary")
    sections, _ = _structure(summary)
    assert _in_order(seed["sections"], sections) == []
    assert "### From Module 2.1: PyTorch Core (complete)" in summary
    headings = [line for line in summary.splitlines() if line.startswith("#") or line.startswith("**Status")]
    assert not any("((" in h or "))" in h or h.count("(") > 1 for h in headings if not h.startswith("**Status"))
    status = next(line for line in summary.splitlines() if line.startswith("**Status:**"))
    assert "Module 2.1: complete" in status


def test_the_summary_lists_every_mental_model_once_and_every_exclusion_once(course, tmp_path):
    summary = series_summary(course, tmp_path)
    models = summary.split("## Key Mental Models Carried Forward")[1].split("## ")[0]
    numbered = [line for line in models.splitlines() if re.match(r"^\d+\. ", line)]
    texts = {m.text for lesson in course.lessons for m in lesson.mental_models}
    assert len(numbered) == len(texts)
    excluded = summary.split("## What This Series Does NOT Cover")[1].split("## ")[0]
    items = [line[2:] for line in excluded.splitlines() if line.startswith("- ")]
    assert "Custom autograd functions" in items
    assert not any(i.startswith("Custom autograd functions (") for i in items)
    assert len(items) == len(set(items)) and len(items) >= len(course.series.not_covered)


def test_outstanding_deliverables_are_computed_from_the_course_and_the_notebooks(course, tmp_path):
    summary = series_summary(course, tmp_path)
    for lesson in course.lessons:
        assert f"`notebooks/{notebook_name(lesson.number, lesson.slug)}`" in summary
    for planned in course.planned():
        assert f"Lesson {planned.number} {planned.slug}" in summary
    for lesson in course.lessons:
        (tmp_path / notebook_name(lesson.number, lesson.slug)).write_text("{}", encoding="utf-8")
    summary = series_summary(course, tmp_path)
    assert not any(f"notebooks/{notebook_name(l.number, l.slug)}" in summary for l in course.lessons)
    if not course.planned():
        assert "**Outstanding deliverables:** none." in summary

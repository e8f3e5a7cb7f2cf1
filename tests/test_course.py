"""The shipped course, held against the seeds and proven through the real runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchtutor.curriculum import Depth, load_or_raise
from torchtutor.curriculum.files import exercise_files
from torchtutor.curriculum.lint import errors, lint
from torchtutor.curriculum.reports import concept_index, module_plan, module_record, series_summary
from torchtutor.runner import CheckRequest, Runner
from torchtutor.workspace import Workspace

COURSE = load_or_raise()
SEED_2_1 = [line.rstrip("\n").split("\t") for line in
            (Path(__file__).parent / "data" / "seed_concepts_2_1.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
SEED_2_2 = [line.rstrip("\n").split("\t") for line in
            (Path(__file__).parent / "data" / "seed_concepts_2_2.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
EXERCISES = list(COURSE.exercises())


def test_course_lints_clean() -> None:
    assert [str(p) for p in errors(lint())] == []


def test_every_module_2_1_seed_concept_is_taught_at_seed_depth_or_deeper() -> None:
    index = {row["name"]: row for row in concept_index(COURSE)}
    assert len(SEED_2_1) == 51
    missing = [name for name, _, _ in SEED_2_1 if name not in index]
    assert missing == []
    shallow = [(name, index[name]["depth"], depth) for name, depth, _ in SEED_2_1
               if Depth[index[name]["depth"]] < Depth[depth]]
    assert shallow == []
    wrong_lesson = [(name, index[name]["lesson"], lesson) for name, _, lesson in SEED_2_1
                    if index[name]["lesson"] != lesson and Depth[index[name]["depth"]] <= Depth.DEVELOPED]
    assert wrong_lesson == []


def test_module_2_2_seed_concepts_of_the_built_lessons_are_taught_at_seed_depth_or_deeper() -> None:
    """Concepts the seeds give a Module 2.2 lesson that is written: under their exact names, in that lesson."""
    assert len(SEED_2_2) == 21
    built = {l.slug for l in COURSE.lessons}
    index = {row["name"]: row for row in concept_index(COURSE)}
    due = [(name, depth, lesson) for name, depth, lesson in SEED_2_2 if lesson in built]
    assert due, "no Module 2.2 lesson is built yet"
    assert [name for name, _, _ in due if name not in index] == []
    assert [(name, index[name]["lesson"]) for name, _, lesson in due if index[name]["lesson"] != lesson] == []
    assert [(name, index[name]["depth"], depth) for name, depth, _ in due
            if Depth[index[name]["depth"]] < Depth[depth]] == []


def test_developed_concepts_name_what_exercises_them() -> None:
    for row in concept_index(COURSE):
        if Depth[row["depth"]] >= Depth.DEVELOPED:
            assert row["exercised_by"], row["name"]
            for ref in row["exercised_by"]:
                slug, _, item = ref.partition("/")
                lesson = COURSE.lesson(slug)
                assert lesson.exercise(item) or any(c.id == item for c in lesson.checks), ref


def test_generated_record_covers_every_concept() -> None:
    module = COURSE.module("2.1")
    record = module_record(COURSE, module)
    for name, _, _ in SEED_2_1:
        assert f"| {name} |" in record, name
    for slug in module.lessons:
        assert f"### {slug} (Lesson" in record
    plan = module_plan(COURSE, module)
    assert "BUILD -> STRETCH -> BUILD -> CONSOLIDATE" in plan
    assert series_summary(COURSE).startswith("# Series 2: PyTorch")


@pytest.fixture(scope="module")
def runner():
    with Runner() as r:
        yield r


@pytest.mark.parametrize("lesson,ex", EXERCISES, ids=[f"{l.slug}/{e.id}" for l, e in EXERCISES])
def test_exercise_proven_both_ways(runner: Runner, lesson, ex) -> None:
    """Through the real runner: the untouched starter fails and the solution passes."""
    fid = Workspace.full_id(lesson, ex)
    files = exercise_files(lesson, ex)
    checker = str(files.checker)
    starter = runner.run(CheckRequest(fid, str(files.starter), checker, timeout=ex.timeout,
                                      memory_mb=ex.memory_mb))
    assert not starter.passed, "the untouched starter passes"
    assert starter.summary and "Traceback" not in starter.summary
    solution = runner.run(CheckRequest(fid, str(files.solution), checker, timeout=ex.timeout,
                                       memory_mb=ex.memory_mb))
    assert solution.passed, f"{solution.summary} {solution.details}"


def test_module_2_1_has_enough_exercises() -> None:
    counts = {l.slug: len(l.exercises) for l in COURSE.lessons}
    assert counts.get("tensors", 0) >= 6
    assert sum(counts.get(s, 0) for s in ("autograd", "nn-module", "training-loop")) >= 15
    for lesson in COURSE.lessons:
        levels = {e.level.value for e in lesson.exercises}
        assert {"guided", "supported", "independent"} <= levels, lesson.slug


def test_training_loop_predict_checks_compute_the_seed_numbers() -> None:
    lesson = COURSE.lesson("training-loop")
    answers = {}
    for check in lesson.checks:
        if check.kind == "predict":
            namespace: dict = {}
            exec(check.code, namespace)
            answers[check.id] = namespace["answer"]
    assert answers["predict-sgd-step"] == pytest.approx(4.8, abs=1e-6)          # 5.0 - 0.1 * 2.0
    assert answers["predict-accumulated-grad"] == pytest.approx(5.0, abs=1e-6)  # 2.0 + 3.0

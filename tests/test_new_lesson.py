"""A new lesson added the way an author adds one: `torchtutor curriculum new` in a copy of
the course. Only the lesson's folder and its module's module.toml change, and the new
lesson lints clean, is proven both ways through the real runner, and its slip table and
code samples hold."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from torchtutor.checks.harness import run_exercise
from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.files import exercise_files
from torchtutor.curriculum.lint import errors, lint
from torchtutor.curriculum.loader import packaged_root
from torchtutor.curriculum.scaffold import ScaffoldError, new_lesson
from torchtutor.curriculum.slips import build_source, load_slips
from torchtutor.runner import Runner
from torchtutor.workspace.prove import prove

from test_lessons import run_samples


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _planned_slug() -> tuple[str, str] | None:
    course = load_or_raise(packaged_root())
    return next(((p.slug, m.number) for m in course.modules for p in m.planned), None)


CASES = [("a-new-idea", "2.1")] + ([_planned_slug()] if _planned_slug() else [])


@pytest.mark.parametrize("slug, module", CASES, ids=[c[0] for c in CASES])
def test_a_scaffolded_lesson_touches_only_its_folder_and_module_and_is_clean(tmp_path, monkeypatch, slug, module):
    course_root = tmp_path / "course"
    shutil.copytree(packaged_root(), course_root, ignore=shutil.ignore_patterns("__pycache__"))
    before = _snapshot(course_root)
    old_problems = {str(p) for p in lint(course_root)}

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-m", "torchtutor.cli", "curriculum", "new", slug, "--module", module,
                           "--root", str(course_root)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Created lesson" in proc.stdout

    after = _snapshot(course_root)
    course = load_or_raise(course_root)
    lesson = course.lesson(slug)
    folder = lesson.dir.relative_to(course_root)
    module_file = folder.parent / "module.toml"
    changed = {p for p in after if before.get(p) != after[p]} | (set(before) - set(after))
    assert {p for p in changed if folder not in p.parents} == {module_file}
    old_module = tomllib.loads(before[module_file].decode())
    new_module = tomllib.loads(after[module_file].decode())
    assert {k for k in old_module.keys() | new_module.keys() if old_module.get(k) != new_module.get(k)} <= {
        "lessons", "planned", "core_concept", "load"}
    assert slug in new_module["lessons"]

    problems = lint(course_root)
    assert errors(problems) == []
    assert {str(p) for p in problems} - old_problems == set()          # no new warnings either

    with Runner() as runner:
        proofs = prove(course, runner, [slug])
    assert proofs and all(p.ok for p in proofs), [p.to_dict() for p in proofs]

    table, table_problems = load_slips(lesson)
    assert table_problems == [] and table.slip and table.alternative
    for entry in [*table.slip, *table.alternative]:
        files = exercise_files(lesson, lesson.exercise(entry.exercise))
        learner = tmp_path / files.starter.name
        learner.write_text(build_source(lesson, entry), encoding="utf-8")
        verdict = run_exercise(f"{slug}/{entry.exercise}", str(learner), str(files.checker))
        if entry in table.slip:
            assert not verdict.passed and verdict.failure == entry.failure, (entry.name, verdict.summary)
        else:
            assert verdict.passed, (entry.name, verdict.summary)

    monkeypatch.chdir(tmp_path)
    run_samples(lesson)


def test_the_scaffold_refuses_what_it_cannot_do_cleanly(tmp_path) -> None:
    course_root = tmp_path / "course"
    shutil.copytree(packaged_root(), course_root, ignore=shutil.ignore_patterns("__pycache__"))
    before = _snapshot(course_root)
    with pytest.raises(ScaffoldError, match="already exists"):
        new_lesson("tensors", "2.1", course_root)
    with pytest.raises(ScaffoldError, match="no module '9.9'.*2.1 \\(pytorch-core\\)"):
        new_lesson("fresh", "9.9", course_root)
    with pytest.raises(ScaffoldError, match="not a lesson slug"):
        new_lesson("Fresh Lesson", "2.1", course_root)
    (course_root / "pytorch-core" / "in-the-way").mkdir()
    with pytest.raises(ScaffoldError, match="never overwrites"):
        new_lesson("in-the-way", "2.1", course_root)
    (course_root / "pytorch-core" / "in-the-way").rmdir()
    assert _snapshot(course_root) == before

"""Prove exercises both ways through the real runner (rustlings' ``dev check``):
the untouched starter must fail and the reference solution must pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from ..checks.verdict import Verdict
from ..curriculum import Course
from ..curriculum.files import exercise_files
from .core import Workspace

if TYPE_CHECKING:
    from ..runner import Runner


@dataclass
class Proof:
    id: str
    starter: Verdict
    solution: Verdict

    @property
    def ok(self) -> bool:
        return not self.starter.passed and self.solution.passed

    def to_dict(self) -> dict:
        return {"id": self.id, "ok": self.ok, "starter": self.starter.to_dict(), "solution": self.solution.to_dict()}


def prove(course: Course, runner: "Runner", lessons: Iterable[str] | None = None) -> list[Proof]:
    from ..runner import CheckRequest

    wanted = set(lessons) if lessons else None
    results = []
    for lesson, ex in course.exercises():
        if wanted is not None and lesson.slug not in wanted:
            continue
        fid = Workspace.full_id(lesson, ex)
        files = exercise_files(lesson, ex)
        checker = str(files.checker)
        verdicts = []
        for source in (files.starter, files.solution):
            verdicts.append(runner.run(CheckRequest(exercise_id=fid, learner_file=str(source), checker_file=checker,
                                                    timeout=ex.timeout, memory_mb=ex.memory_mb)))
        results.append(Proof(fid, *verdicts))
    return results

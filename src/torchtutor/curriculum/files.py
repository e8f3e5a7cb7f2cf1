"""Where a lesson's files live. The one place that knows the folder layout.

Lint, the workspace, ``curriculum prove``, the slip tables and the tests all ask here, so
the layout (``exercises/``, ``checkers/``, ``solutions/`` beside ``lesson.toml``, one file
per exercise named after its id) is written down once.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .models import Exercise, Lesson

# folder name -> what the file is, as a lint message names it
FOLDERS = {"exercises": "starter", "checkers": "checker", "solutions": "solution"}
SLIPS_FILE = "slips.toml"


class ExerciseFiles(NamedTuple):
    """The three files of one exercise, inside its lesson folder."""

    starter: Path    # exercises/<stem>.py: copied into the workspace for the learner to edit
    checker: Path    # checkers/<stem>.py: defines check(ex)
    solution: Path   # solutions/<stem>.py: the reference solution

    def by_folder(self) -> dict[str, Path]:
        return dict(zip(FOLDERS, self))


def exercise_files(lesson: Lesson, ex: Exercise) -> ExerciseFiles:
    """The starter, checker and solution of ``ex`` in ``lesson`` (named by ``ex.stem``)."""
    return ExerciseFiles(*(lesson_dir(lesson) / folder / f"{ex.stem}.py" for folder in FOLDERS))


def lesson_dir(lesson: Lesson) -> Path:
    if lesson.dir is None:
        raise ValueError(f"lesson {lesson.slug!r} was not loaded from a folder")
    return lesson.dir


def slips_path(lesson: Lesson) -> Path:
    """The lesson's slip table (realistic wrong answers and correct alternatives)."""
    return lesson_dir(lesson) / SLIPS_FILE

"""A lesson's slip table: realistic wrong answers and correct alternatives, as data.

``<lesson>/slips.toml`` holds two kinds of entry. A ``[[slip]]`` is a wrong answer a
learner would really write, with the failure tag (and optionally the misconception and
the words) its verdict must carry. An ``[[alternative]]`` is a correct solution written
differently, which must pass. Each entry is built from the reference solution (or the
starter) by a list of text edits, or given whole as ``source``. The format is described
in docs/course-format.md; ``tests/test_slips.py`` runs every table through the harness,
and ``curriculum lint`` checks that every entry can be built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from .files import exercise_files, slips_path
from .loader import Problem, locate, read_toml, validate
from .models import SLUG, Lesson, Strict


class _Entry(Strict):
    exercise: str = Field(pattern=SLUG, description="exercise id within the lesson")
    name: str = Field(min_length=1, description="what the learner did, in a few words")
    replace: list[tuple[str, str]] = Field(default_factory=list,
                                           description="edits [old, new], applied in order; each old text must occur")
    source: str | None = Field(default=None, description="the whole file, instead of edits")
    start: Literal["solution", "starter"] = Field(default="solution", description="the file the edits apply to")
    says: list[str] = Field(default_factory=list, description="words the verdict's summary must contain")
    explains: list[str] = Field(default_factory=list,
                                description="words the summary or the details must contain")

    @model_validator(mode="after")
    def _one_way_to_build(self) -> "_Entry":
        if self.source is not None and self.replace:
            raise ValueError("give either `replace` (edits) or `source` (the whole file), not both")
        return self

    @property
    def label(self) -> str:
        return f"{self.exercise}: {self.name}"


class Slip(_Entry):
    failure: str = Field(min_length=1, description="the failure tag the verdict must carry")
    misconception: str | list[str] | None = Field(default=None,
                                                  description="misconception id(s) the verdict must name")

    @property
    def misconceptions(self) -> list[str]:
        if self.misconception is None:
            return []
        return [self.misconception] if isinstance(self.misconception, str) else list(self.misconception)

    @model_validator(mode="after")
    def _is_a_change(self) -> "Slip":
        if self.source is None and not self.replace and self.start == "solution":
            raise ValueError("a slip needs `replace` edits or a `source` (or `start = \"starter\"` for the "
                             "untouched starter); the reference solution itself is not a slip")
        return self


class Alternative(_Entry):
    pass


class SlipTable(Strict):
    slip: list[Slip] = Field(default_factory=list)
    alternative: list[Alternative] = Field(default_factory=list)


class SlipError(Exception):
    """An entry cannot be built (an edit's old text is not in the file)."""


def load_slips(lesson: Lesson) -> tuple[SlipTable | None, list[Problem]]:
    """The lesson's table (None when it has no slips.toml) and any problems with it."""
    path = slips_path(lesson)
    if not path.is_file():
        return None, []
    problems: list[Problem] = []
    data, text = read_toml(path, problems)
    table = validate(SlipTable, data, path, text, problems) if data is not None else None
    if table is None:
        return None, problems
    for kind, entries in (("slip", table.slip), ("alternative", table.alternative)):
        for i, entry in enumerate(entries):
            ex = lesson.exercise(entry.exercise)
            if ex is None:
                ids = ", ".join(e.id for e in lesson.exercises) or "none"
                problems.append(Problem(path, locate(text, (kind, i, "exercise")),
                                        f"{kind} {entry.name!r} names exercise {entry.exercise!r}, which this lesson "
                                        f"does not have (its exercises: {ids})"))
                continue
            try:
                build_source(lesson, entry)
            except SlipError as exc:
                problems.append(Problem(path, locate(text, (kind, i, "replace")), f"{kind} {entry.name!r}: {exc}"))
    return table, problems


def build_source(lesson: Lesson, entry: _Entry) -> str:
    """The learner file an entry describes: its ``source``, or its edits applied in order."""
    if entry.source is not None:
        return entry.source
    ex = lesson.exercise(entry.exercise)
    if ex is None:
        raise SlipError(f"there is no exercise {entry.exercise!r} in lesson {lesson.slug!r}")
    files = exercise_files(lesson, ex)
    base: Path = files.solution if entry.start == "solution" else files.starter
    try:
        text = base.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SlipError(f"cannot read {base.name}: {exc}") from None
    for n, (old, new) in enumerate(entry.replace, start=1):
        if old not in text:
            shown = old if len(old) < 60 else old[:57] + "..."
            raise SlipError(f"edit {n}: the {entry.start} {base.parent.name}/{base.name} no longer contains {shown!r}")
        text = text.replace(old, new)
    return text

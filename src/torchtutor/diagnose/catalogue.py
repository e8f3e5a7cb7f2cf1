"""The mistake catalogue: every silent (or confusing) PyTorch mistake the probes know.

The catalogue is data (``catalogue.toml`` next to this file). Each entry has a stable id (the ids never change meaning, because
exercise checkers, hints and the progress store refer to them), a title, an explanation
in plain language, the fix as code, the lesson of the course that teaches the idea, the
phase of the four-phase debugging checklist it belongs to, and one line on the runtime
evidence the probes use to detect it. Its ``messages`` are the sentences a finding shows the
learner, as templates the detectors fill with what they observed (:func:`message`): all the
learner-facing prose of the doctor lives here, the detectors only format numbers and names.

``torchtutor doctor --list --json`` prints this list as JSON (:func:`catalogue_as_dicts`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

#: The four phases of the debugging checklist, in report order: (id, heading).
PHASES: list[tuple[str, str]] = [
    ("model", "1. The model and its input (torchinfo summary)"),
    ("gradients", "2. The first iteration: loss and gradient health"),
    ("loop", "3. The training loop"),
    ("evaluation", "4. Loss against accuracy, and evaluation"),
]
PHASE_IDS = [p for p, _ in PHASES]

class _CourseLessons(Mapping):
    """Lesson slug -> module number, read from the course's module.toml files on first use."""

    @cached_property
    def _data(self) -> dict[str, str]:
        from ..curriculum.loader import lesson_modules

        return lesson_modules()

    def __getitem__(self, slug: str) -> str:
        return self._data[slug]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


#: Lesson slugs of the course (written and planned), with their module, in teaching order.
LESSONS: Mapping[str, str] = _CourseLessons()


@dataclass(frozen=True)
class Mistake:
    """One catalogue entry.

    id           stable identifier, kebab-case
    title        one line, names the mistake
    phase        one of :data:`PHASE_IDS`
    lesson       slug of the lesson that teaches the idea
    explanation  why it is a problem, in plain language
    fix          the fix, as code
    detection    the runtime evidence the probes use (never source text or names)
    required     True for the ids the doctor was specified with; False for the extra
                 entries that exercise checkers asked for
    messages     finding texts by variant: ``str.format`` templates with named fields
    fixes        a sharper fix than ``fix`` for some variants
    """

    id: str
    title: str
    phase: str
    lesson: str
    explanation: str
    fix: str
    detection: str
    required: bool = True
    messages: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    fixes: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def module(self) -> str:
        return LESSONS[self.lesson]

    def to_dict(self) -> dict:
        data = {k: getattr(self, k) for k in ("id", "title", "phase", "lesson", "explanation", "fix", "detection",
                                              "required")}
        data["module"] = self.module
        return data


def _load() -> tuple[list[Mistake], dict[str, str]]:
    text = resources.files(__package__).joinpath("catalogue.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return [Mistake(**entry) for entry in data["mistake"]], dict(data.get("notes", {}))


CATALOGUE, NOTES = _load()
REQUIRED_IDS: list[str] = [m.id for m in CATALOGUE if m.required]
_BY_ID = {m.id: m for m in CATALOGUE}


def get(mistake_id: str) -> Mistake:
    """The catalogue entry with this id; KeyError names the unknown id."""
    try:
        return _BY_ID[mistake_id]
    except KeyError:
        raise KeyError(f"unknown catalogue id {mistake_id!r}") from None


def ids() -> list[str]:
    return [m.id for m in CATALOGUE]


def catalogue_as_dicts() -> list[dict]:
    """The catalogue as plain data, in catalogue order (for ``doctor --list --json``)."""
    return [m.to_dict() for m in CATALOGUE]


def message(mistake_id: str, variant: str, **fields: Any) -> str:
    """The catalogue's text ``variant`` of an entry, filled in with ``fields``."""
    return get(mistake_id).messages[variant].format_map(fields)


def note(name: str, **fields: Any) -> str:
    """A sentence shared by all entries (``[notes]`` in the data), filled in with ``fields``."""
    return NOTES[name].format_map(fields)

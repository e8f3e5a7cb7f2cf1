"""Pydantic models of the course: series, module, lesson, concept, exercise, check.

These are the shapes of the TOML files under ``course/``. The loader
(``curriculum.loader``) validates the files against them and turns validation errors
into ``file:line: problem`` rows; lint (``curriculum.lint``) checks what a schema
cannot: references between lessons, files on disk, depth ordering.
"""

from __future__ import annotations

import builtins
import re
from enum import Enum, IntEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LESSON_NUMBER = r"^\d+\.\d+\.\d+$"
MODULE_NUMBER = r"^\d+\.\d+$"


class Strict(BaseModel):
    """Base model: unknown keys are errors, so a typo in a course file is caught."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class Depth(IntEnum):
    """How deeply a lesson teaches a concept. Ordered: later means deeper."""

    MENTIONED = 1
    INTRODUCED = 2
    DEVELOPED = 3
    APPLIED = 4


class LessonType(str, Enum):
    BUILD = "BUILD"
    STRETCH = "STRETCH"
    CONSOLIDATE = "CONSOLIDATE"
    PROJECT = "PROJECT"


class Level(str, Enum):
    GUIDED = "guided"
    SUPPORTED = "supported"
    INDEPENDENT = "independent"


class ConceptRef(Strict):
    name: str = Field(min_length=1)
    depth: Depth
    notes: str = ""

    @field_validator("depth", mode="before")
    @classmethod
    def _depth_by_name(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return Depth[value.strip().upper()]
            except KeyError:
                names = ", ".join(d.name for d in Depth)
                raise ValueError(f"unknown depth {value!r}; use one of {names}") from None
        return value


class MentalModel(Strict):
    text: str = Field(min_length=1)
    explanation: str = ""
    # Where the model is used again (lesson slugs, built or planned), and how: the record's
    # "Available For" column. Empty means no later lesson leans on it.
    available_for: list[str] = Field(default_factory=list)
    reuse: str = ""


class Analogy(Strict):
    text: str = Field(min_length=1)
    explanation: str = ""
    # The mental model of the same lesson that this analogy illustrates, when it is one: the
    # record then lists the idea once in its table of models and analogies.
    illustrates: str | None = None


class Teaching(Strict):
    """How the lesson teaches, for the record's "How concepts were taught"."""

    concepts_taught: str = Field(min_length=1, description="one line: the concepts in the learner's words")
    hook: str = Field(min_length=1)
    sequence: list[str] = Field(min_length=1, description="the teaching moves, in lesson order")
    negative_examples: list[str] = Field(default_factory=list)


class Misconception(Strict):
    id: str = Field(pattern=SLUG)
    belief: str = Field(min_length=1)
    truth: str = Field(min_length=1)


class Deferral(Strict):
    """A topic the lesson leaves for later: ``lesson`` names the lesson that takes it
    up, or ``beyond`` says it lies outside this series."""

    topic: str = Field(min_length=1)
    lesson: str | None = None
    beyond: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> "Deferral":
        if (self.lesson is None) == (not self.beyond):
            raise ValueError("a deferral names either `lesson = \"slug\"` or `beyond = true`, exactly one")
        return self


class Hint(Strict):
    """One rung of a hint ladder. ``when`` lists failure tags or misconception ids:
    a hint whose tag matches the failure that fired is shown first."""

    text: str = Field(min_length=1)
    when: list[str] = Field(default_factory=list)


#: The built-in exception names: what a known error may name, and the tag of a learner exception nothing recognises.
EXCEPTION_NAMES = frozenset(n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException))


class KnownError(Strict):
    """A known wrong exception of an exercise (``[[exercises.known_errors]]``): what a common
    mistake raises and what the verdict says about it. The checks API turns it into a
    ``WrongError`` (``checks/known_errors.py``); a checker takes it with ``known(id)``."""

    id: str = Field(pattern=SLUG)
    exception: str | list[str] | None = None
    pattern: str = ""
    catalogue: str | None = Field(default=None, pattern=SLUG)
    message: str = ""
    details: list[str] = Field(default_factory=list)
    failure: str | None = Field(default=None, min_length=1)
    misconceptions: list[str] = Field(default_factory=list)

    @field_validator("exception")
    @classmethod
    def _builtin_exception(cls, value: str | list[str] | None) -> str | list[str] | None:
        for name in ([value] if isinstance(value, str) else value or []):
            if name not in EXCEPTION_NAMES:
                raise ValueError(f"{name!r} is not a built-in exception name; write one such as \"RuntimeError\" "
                                 "or \"TypeError\" (an exception the checker defines itself stays in Python)")
        return value

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"the pattern {value!r} is not a valid regular expression ({exc}); in TOML a "
                             "backslash needs a literal string: pattern = 'shape \\(.*\\)'") from None
        return value

    @model_validator(mode="after")
    def _exception_or_catalogue(self) -> "KnownError":
        if (self.exception is None) == (self.catalogue is None):
            raise ValueError(f"known error {self.id!r} needs either `exception` (with `pattern`) or `catalogue` "
                             "(an id of diagnose's mistake catalogue), not both and not neither")
        if self.catalogue is None and not self.message:
            raise ValueError(f"known error {self.id!r} needs a `message`: the verdict's summary")
        if self.catalogue is None and not self.failure:
            raise ValueError(f"known error {self.id!r} needs a `failure` tag (it picks the first hint)")
        return self

    @property
    def tag(self) -> str:
        return self.failure or self.catalogue or ""


class Exercise(Strict):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    level: Level
    concepts: list[str] = Field(min_length=1)
    misconceptions: list[str] = Field(default_factory=list)
    hints: list[Hint] = Field(min_length=1)
    timeout: float = Field(default=10.0, gt=0, le=300)
    memory_mb: int = Field(default=2048, ge=64)
    why: str = Field(min_length=1, description="why the reference solution is right, shown with it")
    known_errors: list[KnownError] = Field(default_factory=list)

    @property
    def stem(self) -> str:
        """File stem shared by the exercise, checker and solution files."""
        return self.id.replace("-", "_")


class Check(Strict):
    """A check inside a lesson: predict-and-verify, transfer question or multiple choice."""

    id: str = Field(pattern=SLUG)
    kind: Literal["predict", "transfer", "choice"]
    prompt: str = Field(min_length=1)
    concepts: list[str] = Field(default_factory=list)
    # predict: ``code`` runs and must bind ``answer``; the learner's guess is compared with it.
    code: str | None = None
    answer_kind: Literal["number", "text", "shape", "bool"] | None = None
    tolerance: float = 1e-4
    explanation: str = ""
    # transfer: the learner writes an answer, then marks it against the model answer.
    model_answer: str | None = None
    # choice: options with the index of the right one and an explanation per option.
    options: list[str] = Field(default_factory=list)
    answer: int | None = None
    explanations: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> "Check":
        if self.kind == "predict":
            if not self.code or not self.answer_kind:
                raise ValueError("a predict check needs `code` (which sets `answer`) and `answer_kind`")
        elif self.kind == "transfer":
            if not self.model_answer:
                raise ValueError("a transfer check needs `model_answer`")
        elif self.kind == "choice":
            if len(self.options) < 2:
                raise ValueError("a choice check needs at least two `options`")
            if self.answer is None or not 0 <= self.answer < len(self.options):
                raise ValueError("a choice check needs `answer`, the 0-based index of the right option")
            if len(self.explanations) != len(self.options):
                raise ValueError("a choice check needs one entry in `explanations` per option")
        return self


class Lesson(Strict):
    slug: str = Field(pattern=SLUG)
    number: str = Field(pattern=LESSON_NUMBER)
    title: str = Field(min_length=1)
    type: LessonType
    summary: str = Field(min_length=1)
    prerequisites: list[str] = Field(default_factory=list)
    concepts: list[ConceptRef] = Field(default_factory=list)
    takes_up: list[str] = Field(default_factory=list, description="topics beyond the concept index this lesson teaches")
    mental_models: list[MentalModel] = Field(default_factory=list)
    analogies: list[Analogy] = Field(default_factory=list)
    misconceptions: list[Misconception] = Field(default_factory=list)
    deferred: list[Deferral] = Field(default_factory=list)
    exercises: list[Exercise] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    teaching: Teaching | None = None

    # Set by the loader, not read from TOML.
    dir: Path | None = Field(default=None, exclude=True)
    module: str | None = Field(default=None, exclude=True)

    @property
    def label(self) -> str:
        return f"{self.number} {self.slug}"

    def exercise(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    def takes_up_topic(self, topic: str) -> bool:
        wanted = normalise_topic(topic)
        names = [c.name for c in self.concepts] + list(self.takes_up)
        return any(normalise_topic(n) == wanted for n in names)


class PlannedLesson(Strict):
    """A lesson named in the module's sequence whose folder is not written yet."""

    slug: str = Field(pattern=SLUG)
    number: str = Field(pattern=LESSON_NUMBER)
    title: str = Field(min_length=1)
    type: LessonType
    takes_up: list[str] = Field(default_factory=list)

    def takes_up_topic(self, topic: str) -> bool:
        wanted = normalise_topic(topic)
        return any(normalise_topic(n) == wanted for n in self.takes_up)


class Module(Strict):
    number: str = Field(pattern=MODULE_NUMBER)
    slug: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    narrative: str = ""
    emotional_arc: str = ""
    lessons: list[str] = Field(default_factory=list, description="slugs of written lessons, in order")
    planned: list[PlannedLesson] = Field(default_factory=list)
    misconceptions: list[Misconception] = Field(default_factory=list)
    rationale: dict[str, str] = Field(default_factory=dict, description="why each lesson sits where it does")
    # The plan's tables, keyed by lesson slug (built or planned).
    arc: list[str] = Field(default_factory=list, description="the numbered narrative arc, one step per lesson")
    core_concept: dict[str, str] = Field(default_factory=dict)
    load: dict[str, str] = Field(default_factory=dict, description="cognitive load, in words, per lesson")
    topics: dict[str, str] = Field(default_factory=dict, description="rough topic allocation per lesson")
    topic_notes: dict[str, str] = Field(default_factory=dict)
    allocation_note: str = ""
    carried_forward: list["CarriedModel"] = Field(default_factory=list,
                                                  description="models from earlier series this module builds on")

    dir: Path | None = Field(default=None, exclude=True)


class CarriedModel(Strict):
    """A mental model from an earlier series that this module extends."""

    text: str = Field(min_length=1)
    origin: str = Field(min_length=1, description="where it was established, e.g. a Series 1 lesson")
    extended: str = Field(min_length=1, description="how this module uses it")


class Series(Strict):
    number: str = Field(pattern=r"^\d+$")
    title: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    modules: list[str] = Field(min_length=1, description="module folder names, in order")
    emotional_arc: str = ""
    not_covered: list[str] = Field(default_factory=list, description="topics this series leaves out on purpose")
    completion_notes: str = ""


def normalise_topic(text: str) -> str:
    """Compare topics loosely: case, backticks and spacing do not matter."""
    return re.sub(r"\s+", " ", text.replace("`", "").strip().lower())


Module.model_rebuild()

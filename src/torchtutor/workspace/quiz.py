"""Lesson checks as a quiz: predict-and-verify, transfer questions and multiple choice.

The service every front end calls (CLI now, notebook and web reader later): it finds a
lesson's checks, reads the learner's answer the way a person would write it, runs a
predict check's real code, grades, and records the answer and the concept evidence in
the workspace's progress store. Front ends only ask the questions and show the results.

Answers are read leniently and compared exactly:

- number: ``42``, ``42.0``, ``4.8``, ``1e-3``, ``1,000``, ``3/4``; equal within the check's
  ``tolerance`` (absolute, or relative for large values);
- shape: ``[3, 1]``, ``(3, 1)``, ``3x1``, ``3 by 1``, ``torch.Size([3, 1])``; ``[]`` is a scalar;
- text: case, spaces, surrounding quotes and a ``torch.`` prefix do not matter (``float32`` matches
  ``torch.float32`` and back);
- bool: yes / no / true / false / y / n / 1 / 0.

An answer that cannot be read as the expected kind raises :class:`AnswerFormatError`
and records nothing, so a typo is asked again rather than marked wrong.
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..curriculum import Check, Course, Lesson, load_or_raise
from ..curriculum.evaluate import CheckCodeError, format_value
from ..curriculum.evaluate import run_check_code as _run_check_code
from .core import ENV_VAR, Workspace, WorkspaceError, discover

SELF_MARKS = ("got it", "partly", "missed")
KIND_HINT = {
    "number": "a number (decimals, fractions like 1/4 and 1e-3 all work)",
    "shape": "a shape like [rows, cols] (or rows x cols; [] for a scalar)",
    "text": "a word or short phrase",
    "bool": "yes or no",
}


class QuizError(Exception):
    """A problem a learner can act on (an unknown lesson or check, a missing option), in one paragraph."""


class AnswerFormatError(QuizError):
    """The learner's answer cannot be read as the kind the check expects; ask again, record nothing."""


@dataclass
class QuizResult:
    """The outcome of one answered check, as plain data for every front end.

    ``correct`` is None for a transfer question (the learner marks it: ``self_mark``).
    ``expected`` is what the learner should see: the real value of a predict check, the
    model answer of a transfer question, or the right option of a choice.
    """

    lesson: str
    check_id: str
    kind: str
    prompt: str
    answer: str
    correct: bool | None
    expected: str
    explanation: str = ""
    value: Any = None                    # predict: the real value, JSON-serialisable
    self_mark: str | None = None         # transfer
    chosen: int | None = None            # choice: 1-based numbers, as the learner sees them
    right: int | None = None
    chosen_explanation: str = ""
    right_explanation: str = ""
    output: str = ""                     # predict: anything the check's code printed
    recorded: bool = False
    note: str = ""
    concepts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- reading answers
def _strip_wrapping(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "`'\"":
        text = text[1:-1].strip()
    return text


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_number(text: str) -> float:
    """Read a typed number: ``42``, ``42.0``, ``-4.8``, ``1e-3``, ``1,000``, ``1_000``, ``3/4``."""
    raw = _strip_wrapping(text)
    cleaned = raw.replace(" ", "")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        if cleaned.count("/") == 1:
            top, bottom = cleaned.split("/")
            value = float(top) / float(bottom)
        else:
            value = float(cleaned)
    except (ValueError, ZeroDivisionError):
        raise AnswerFormatError(f"{raw!r} is not a number I can read. Type {KIND_HINT['number']}.") from None
    if not math.isfinite(value):
        raise AnswerFormatError(f"{raw!r} is not a finite number. Type {KIND_HINT['number']}.")
    return value


def parse_shape(text: str) -> tuple[int, ...]:
    """Read a typed shape: ``[3, 1]``, ``(3, 1)``, ``3x1``, ``3 by 1``, ``torch.Size([3, 1])``, ``[]``."""
    raw = _strip_wrapping(text)
    cleaned = raw.lower().replace("torch.size", "").replace("size", "")
    if cleaned.strip() in ("scalar", "a scalar"):
        return ()
    for ch in "[]()":
        cleaned = cleaned.replace(ch, " ")
    cleaned = re.sub(r"\bby\b|[x×*,]", " ", cleaned)
    parts = cleaned.split()
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        raise AnswerFormatError(f"{raw!r} is not a shape I can read. Type {KIND_HINT['shape']}.") from None
    if any(d < 0 for d in dims):
        raise AnswerFormatError(f"{raw!r} has a negative size; every dimension of a shape is 0 or more.")
    return dims


_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}


def parse_bool(text: str) -> bool:
    """Read yes / no / true / false / y / n / 1 / 0 (any case, trailing punctuation ignored)."""
    raw = _strip_wrapping(text)
    word = raw.lower().strip(" .!")
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise AnswerFormatError(f"{raw!r} is not yes or no. Type yes or no (true/false also work).")


def normalise_text(text: str) -> str:
    """Text as compared: lower case, no whitespace, no surrounding quotes, no trailing full stop."""
    return re.sub(r"\s+", "", _strip_wrapping(text.strip().rstrip(".")).lower()).rstrip(".")


def parse_choice(text: str, n_options: int) -> int:
    """Read the number (1-based) or letter of an option; returns the 0-based index."""
    raw = text.strip()
    word = raw.lower().strip(" .)")
    index = None
    if word.isdigit():
        index = int(word) - 1
    elif len(word) == 1 and word.isalpha():
        index = ord(word) - ord("a")
    if index is None or not 0 <= index < n_options:
        raise AnswerFormatError(f"{raw!r} is not one of the options. Type a number from 1 to {n_options}.")
    return index


_MARKS = {"got it": ("1", "g", "got it", "gotit", "got-it", "got_it", "yes", "y"),
          "partly": ("2", "p", "partly", "partial", "partially", "part"),
          "missed": ("3", "m", "missed", "miss", "no", "n")}


def parse_mark(text: str) -> str:
    """Read a self-mark: 1 / got it, 2 / partly, 3 / missed."""
    word = re.sub(r"\s+", " ", text.strip().lower().strip(" .!"))
    for mark, spellings in _MARKS.items():
        if word in spellings:
            return mark
    raise AnswerFormatError(f"{text.strip()!r} is not a mark. Type 1 (got it), 2 (partly) or 3 (missed).")


# --------------------------------------------------------------------------- real values
def _json_value(kind: str, value: Any) -> Any:
    return list(value) if kind == "shape" else value


def compare(kind: str, guess_text: str, real: Any, tolerance: float = 1e-4) -> bool:
    """Whether the typed ``guess_text`` matches the real value (AnswerFormatError if unreadable)."""
    if kind == "number":
        return math.isclose(parse_number(guess_text), float(real), rel_tol=tolerance, abs_tol=tolerance)
    if kind == "shape":
        return parse_shape(guess_text) == tuple(real)
    if kind == "bool":
        return parse_bool(guess_text) == bool(real)
    guess, want = normalise_text(guess_text), normalise_text(str(real))
    if not guess:
        raise AnswerFormatError("The answer is empty. Type a word or short phrase.")
    return guess.removeprefix("torch.") == want.removeprefix("torch.")


# --------------------------------------------------------------------------- lessons and checks
def find_lesson(course: Course, key: str) -> Lesson:
    """A lesson by slug or number, or QuizError naming the lessons that have checks."""
    lesson = course.lesson(key) or next((l for l in course.lessons if l.number == key), None)
    if lesson is None:
        with_checks = ", ".join(l.slug for l in course.lessons if l.checks) or "none yet"
        raise QuizError(f"There is no lesson {key!r}. Lessons with checks: {with_checks}.")
    return lesson


def default_lesson(course: Course, start: Lesson | None = None) -> Lesson:
    """``start`` (default: the first lesson) if it has checks, else the next lesson that does,
    else the first that does anywhere."""
    if not course.lessons:
        raise QuizError("The course has no lessons yet, so there is nothing to quiz.")
    begin = course.lessons.index(start) if start in course.lessons else 0
    ordered = course.lessons[begin:] + course.lessons[:begin]
    for lesson in ordered:
        if lesson.checks:
            return lesson
    raise QuizError("No lesson in the course has checks yet, so there is nothing to quiz.")


def public_check(check: Check) -> dict:
    """A check as a front end may show it before it is answered: no answer, no explanations."""
    data = {"id": check.id, "kind": check.kind, "prompt": check.prompt, "concepts": list(check.concepts)}
    if check.kind == "predict":
        data["answer_kind"] = check.answer_kind
        data["answer_hint"] = KIND_HINT[check.answer_kind or "text"]
    elif check.kind == "choice":
        data["options"] = list(check.options)
        data["answer_hint"] = f"a number from 1 to {len(check.options)}"
    else:
        data["answer_hint"] = "a few sentences of your own; an empty line ends the answer"
    return data


Evaluate = Callable[[Lesson, Check], "tuple[Any, str]"]
"""How a predict check's code is run: ``(lesson, check) -> (value, printed output)``, raising
CheckCodeError when the course's code fails. In this process by default
(:func:`torchtutor.curriculum.evaluate.run_check_code`); the web reader and its local service
pass the warm runner's sandbox (:func:`runner_evaluate`), the CLI the running server's
(:func:`torchtutor.service.evaluate_through`)."""


def runner_evaluate(runner) -> Evaluate:
    """An :data:`Evaluate` that runs the check's code in ``runner``'s sandboxed child
    (:meth:`torchtutor.runner.Runner.evaluate`)."""
    def evaluate(lesson: Lesson, check: Check) -> tuple[Any, str]:
        return runner.evaluate(f"{lesson.slug}/{check.id}", check.code or "", check.answer_kind or "text")
    return evaluate


class Quiz:
    """The checks of one lesson, answered against an optional progress store.

    With ``store=None`` nothing is recorded (no workspace) and :attr:`note` says so.
    ``evaluate`` runs a predict check's code (see :data:`Evaluate`); recording is the same
    whichever runs it.
    """

    def __init__(self, course: Course, lesson: Lesson, store=None, note: str = "",
                 evaluate: Evaluate | None = None):
        self.course = course
        self.lesson = lesson
        self.store = store
        self.note = note
        self.evaluate = evaluate or _run_check_code

    @property
    def recording(self) -> bool:
        return self.store is not None

    @property
    def checks(self) -> list[Check]:
        return list(self.lesson.checks)

    def check(self, check_id: str) -> Check:
        """A check of this lesson by id (a ``lesson/`` prefix is accepted), or QuizError listing them."""
        key = check_id.strip()
        if "/" in key:
            slug, _, key = key.partition("/")
            if slug != self.lesson.slug:
                raise QuizError(f"Check {check_id!r} belongs to lesson {slug!r}, not {self.lesson.slug!r}. "
                                f"Run `torchtutor quiz {slug} --check {key}`.")
        found = next((c for c in self.lesson.checks if c.id == key), None)
        if found is None:
            ids = ", ".join(c.id for c in self.lesson.checks) or "none"
            raise QuizError(f"Lesson {self.lesson.slug} has no check {check_id!r}. Its checks are: {ids}.")
        return found

    def to_dict(self, checks: list[Check] | None = None) -> dict:
        """The lesson's checks without answers, and whether answers will be recorded."""
        return {"lesson": self.lesson.slug, "number": self.lesson.number, "title": self.lesson.title,
                "recording": self.recording, "note": self.note,
                "checks": [public_check(c) for c in (self.checks if checks is None else checks)]}

    # ----- answering ------------------------------------------------------------------
    def answer(self, check: Check, text: str, mark: str | None = None) -> QuizResult:
        """Grade ``text`` for any kind of check (``mark`` is the self-mark of a transfer question)."""
        if check.kind == "predict":
            return self.predict(check, text)
        if check.kind == "choice":
            return self.choose(check, text)
        return self.transfer(check, text, mark)

    def predict(self, check: Check, text: str) -> QuizResult:
        """Run the check's real code, compare the learner's prediction, record it."""
        kind = check.answer_kind or "text"
        if not text.strip():
            raise AnswerFormatError(f"The prediction is empty. Type {KIND_HINT[kind]}.")
        if kind == "number":
            parse_number(text)      # a typo is asked again before any code runs
        elif kind == "shape":
            parse_shape(text)
        elif kind == "bool":
            parse_bool(text)
        try:
            real, output = self.evaluate(self.lesson, check)
        except CheckCodeError as exc:
            raise QuizError(str(exc)) from None
        correct = compare(kind, text, real, check.tolerance)
        result = self._result(check, text.strip(), correct, expected=format_value(kind, real),
                              explanation=check.explanation, value=_json_value(kind, real), output=output)
        return self._record(result, check, evidence=correct)

    def choose(self, check: Check, text: str) -> QuizResult:
        """Grade a multiple-choice answer given as the option's number (1-based) or letter."""
        index = parse_choice(text, len(check.options))
        right = check.answer or 0
        correct = index == right
        result = self._result(check, f"{index + 1}. {check.options[index]}", correct,
                              expected=f"{right + 1}. {check.options[right]}", explanation=check.explanation,
                              chosen=index + 1, right=right + 1, chosen_explanation=check.explanations[index],
                              right_explanation=check.explanations[right])
        return self._record(result, check, evidence=correct)

    def reveal(self, check: Check) -> dict:
        """The model answer of a transfer question, shown once the learner has written theirs."""
        return {"check_id": check.id, "model_answer": check.model_answer or "", "explanation": check.explanation}

    def transfer(self, check: Check, text: str, mark: str | None = None) -> QuizResult:
        """Record a transfer answer with the learner's own mark (got it / partly / missed).

        Without a mark nothing is recorded: the result carries the model answer so the
        learner can compare and then answer again with a mark.
        """
        if not text.strip():
            raise AnswerFormatError("The answer is empty. Write a few sentences, then compare with the model answer.")
        self_mark = parse_mark(mark) if mark is not None else None
        result = self._result(check, text.strip(), None, expected=check.model_answer or "",
                              explanation=check.explanation, self_mark=self_mark)
        if self_mark is None:
            result.note = ("Compare your answer with the model answer, then mark it: "
                           "--mark got-it, --mark partly or --mark missed. Nothing was recorded yet.")
            return result
        return self._record(result, check, evidence=self_mark == "got it")

    # ----- internals ------------------------------------------------------------------
    def _result(self, check: Check, answer: str, correct: bool | None, **kw: Any) -> QuizResult:
        return QuizResult(lesson=self.lesson.slug, check_id=check.id, kind=check.kind, prompt=check.prompt,
                          answer=answer, correct=correct, concepts=list(check.concepts), **kw)

    def _record(self, result: QuizResult, check: Check, evidence: bool) -> QuizResult:
        if self.store is None:
            result.note = self.note or "Not recorded: there is no workspace."
            return result
        self.store.record_quiz_answer(check.id, self.lesson.slug, result.answer, result.correct, result.self_mark)
        for concept in check.concepts:
            self.store.record_concept_evidence(concept, "check", f"{self.lesson.slug}/{check.id}", evidence)
        result.recorded = True
        return result


def open_quiz(lesson_key: str | None = None, workspace: str | Path | None = None,
              course: Course | None = None, course_root: str | Path | None = None,
              env: dict | None = None, check_id: str | None = None,
              evaluate: Evaluate | None = None) -> Quiz:
    """A quiz for ``lesson_key`` (slug or number), recording into the workspace's store.

    Without a lesson: the lesson named by a ``lesson/check`` style ``check_id``, else the
    workspace's next lesson (or the next one after it with checks).
    With no workspace found (and none named by ``workspace`` or ``$TORCHTUTOR_WORKSPACE``),
    the quiz starts at the first lesson and records nothing; ``Quiz.note`` says so. A
    named workspace that is not one is still an error. ``evaluate``: see :class:`Quiz`.
    """
    env = os.environ if env is None else env
    course = course or load_or_raise(Path(course_root) if course_root else None)
    if lesson_key is None and check_id and "/" in check_id:
        lesson_key = check_id.partition("/")[0]
    try:
        root = discover(workspace, env=env)
    except WorkspaceError:
        if workspace or env.get(ENV_VAR):
            raise
        root = None
    if root is None:
        lesson = find_lesson(course, lesson_key) if lesson_key else default_lesson(course)
        return Quiz(course, lesson, None, note="No workspace here, so your answers are not recorded. "
                    "Run `torchtutor start` to create one, or pass --workspace DIR.", evaluate=evaluate)
    ws = Workspace(root, course)
    lesson = find_lesson(course, lesson_key) if lesson_key else default_lesson(course, ws.next_lesson())
    return Quiz(course, lesson, ws.store, evaluate=evaluate)


def stdin_is_interactive() -> bool:
    """Whether standard input is a terminal (a person typing) rather than a pipe or file."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False

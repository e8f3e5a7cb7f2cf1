"""Known wrong exceptions declared as data, in the lesson's ``lesson.toml``.

An exercise lists the exceptions its common mistakes raise under ``[[exercises.known_errors]]``,
next to the hints that answer them (docs/course-format.md)::

    [[exercises.known_errors]]
    id = "weight-not-transposed"
    exception = "RuntimeError"          # a built-in exception name, or a list of them
    pattern = "cannot be multiplied"    # searched in the exception's message ("" matches any)
    message = "..."                     # the summary; {doing} and {error} are filled in
    details = ["..."]
    failure = "weight-not-transposed"
    misconceptions = ["linear-weight-is-in-by-out"]

or, instead of ``exception`` and ``pattern``, ``catalogue = "non-scalar-backward"``: the lesson's
words for an id of diagnose's mistake catalogue (what :meth:`WrongError.catalogue` declares).

The harness reads the entries of the exercise being checked (:func:`exercise_known_errors`), and a
checker names them with ``known(...)`` (``calls.known``). The course loader validates the same entries
(``curriculum.models.KnownError``) and lint cross-checks them, so a malformed entry is a
``lesson.toml:LINE`` row of ``torchtutor curriculum lint``, not a broken check.
"""

from __future__ import annotations

import builtins
import tomllib
from pathlib import Path
from typing import Any, Mapping

from .calls import WrongError

LESSON_FILE = "lesson.toml"    # beside the checkers/ folder of the lesson


def exception_type(name: str) -> type[BaseException]:
    """The built-in exception called ``name`` (``"RuntimeError"``); ValueError for anything else."""
    found = getattr(builtins, name, None)
    if not (isinstance(found, type) and issubclass(found, BaseException)):
        raise ValueError(f"{name!r} is not a built-in exception name (RuntimeError, TypeError, ...)")
    return found


def known_error(entry: Mapping[str, Any]) -> WrongError:
    """One ``[[exercises.known_errors]]`` entry as the WrongError it declares."""
    misconceptions = tuple(entry.get("misconceptions", ()))
    details = tuple(entry.get("details", ()))
    if entry.get("catalogue"):
        return WrongError.catalogue(entry["catalogue"], entry.get("message", ""), failure=entry.get("failure"),
                                    misconceptions=misconceptions, details=details)
    names = entry["exception"]
    types = tuple(exception_type(n) for n in ([names] if isinstance(names, str) else names))
    return WrongError(types[0] if len(types) == 1 else types, entry.get("pattern", ""), entry["message"],
                      entry["failure"], misconceptions, details)


def exercise_known_errors(checker_file: Path) -> dict[str, WrongError]:
    """The known errors ``lesson.toml`` declares for the exercise whose checker is ``checker_file``
    (``<lesson>/checkers/<stem>.py``; the exercise is the one whose id gives that stem), by id
    and in the order written. Empty for a checker outside a lesson folder."""
    lesson_file = checker_file.parent.parent / LESSON_FILE
    if not lesson_file.is_file():
        return {}
    data = tomllib.loads(lesson_file.read_text(encoding="utf-8"))
    for exercise in data.get("exercises", []):
        if str(exercise.get("id", "")).replace("-", "_") == checker_file.stem:
            return {str(e["id"]): known_error(e) for e in exercise.get("known_errors", [])}
    return {}

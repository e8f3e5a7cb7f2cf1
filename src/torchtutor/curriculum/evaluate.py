"""Running a predict check's code: the one place that computes a check's real answer,
for the quiz (which compares the learner's guess with it) and for the generated record
(which states it). A failure is a bug in the course, raised as :class:`CheckCodeError`."""

from __future__ import annotations

import contextlib
import io
import random
import re
from typing import Any

from .models import Check, Lesson


class CheckCodeError(Exception):
    """The code of a predict check failed or did not set ``answer``: a bug in the course."""


def _to_plain(kind: str, value: Any) -> Any:
    """Normalise what a check's code bound to ``answer`` for comparison and JSON."""
    if kind == "shape":
        if hasattr(value, "shape") and not isinstance(value, (tuple, list)):
            value = value.shape
        return tuple(int(v) for v in value)
    if hasattr(value, "item") and callable(value.item):  # a 0-d tensor or NumPy scalar
        value = value.item()
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"answer is {type(value).__name__}, not a number")
        return value
    if kind == "bool":
        return bool(value)
    return str(value)


def format_value(kind: str, value: Any) -> str:
    """How the real value is shown: ``42``, ``4.8``, ``[3, 1]``, ``yes``, or the text."""
    if kind == "shape":
        return "[" + ", ".join(str(d) for d in value) + "]"
    if kind == "bool":
        return "yes (True)" if value else "no (False)"
    if kind == "number":
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return f"{number:.6g}"
    return str(value)


def run_check_code(lesson: Lesson, check: Check) -> tuple[Any, str]:
    """Run a predict check's ``code`` in this process; returns (answer, printed output).

    The default way a :class:`~torchtutor.workspace.quiz.Quiz` evaluates (and the generated
    record's); the web reader and the local service evaluate the same way in the warm
    runner's sandbox (``Runner.evaluate``, which calls :func:`evaluate_code` in a child).
    """
    return evaluate_code(f"{lesson.slug}/{check.id}", check.code or "", check.answer_kind or "text")


def evaluate_code(where: str, code: str, kind: str) -> tuple[Any, str]:
    """Run a predict check's code (named ``where``, ``LESSON/CHECK``) in a fresh namespace and
    return ``(_to_plain(kind, answer), printed output)``.

    Random generators are seeded with 0 (torch's is restored afterwards), as the runner
    does for exercises. A failure here is a bug in the course, reported as CheckCodeError.
    """
    namespace: dict[str, Any] = {"__name__": "torchtutor_check_" + re.sub(r"\W", "_", where.rpartition("/")[2])}
    out = io.StringIO()
    uses_torch = "torch" in code
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(out))
            random.seed(0)
            if uses_torch:
                import torch

                stack.enter_context(torch.random.fork_rng(devices=[]))
                torch.manual_seed(0)
            exec(compile(code, f"<check {where}>", "exec"), namespace)
    except BaseException as exc:  # noqa: BLE001 - course code: any failure, even SystemExit, is a course bug
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise CheckCodeError(f"The code of check {where} failed ({type(exc).__name__}: {exc}). This is a bug in the "
                        "course, not in your answer; please report it.") from None
    if "answer" not in namespace:
        raise CheckCodeError(f"The code of check {where} ran but did not set `answer`. This is a bug in the course; "
                        "please report it.")
    try:
        return _to_plain(kind, namespace["answer"]), out.getvalue()
    except (TypeError, ValueError) as exc:
        raise CheckCodeError(f"The code of check {where} set `answer` to something that is not a "
                        f"{kind} ({exc}). This is a bug in the course; please report it.") from None

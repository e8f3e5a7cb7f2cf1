"""ExerciseRun: what a checker's ``check(ex)`` gets.

``ex`` holds the learner's module namespace and the helpers a checker is written with:

- ``ex.get(name)``: a top-level name, failing in words when it is missing or still a placeholder;
- ``ex.call(fn, *args, errors=[WrongError(...)])``: run a learner function (by name, or any
  callable such as a model) and turn an exception into a verdict: a declared WrongError,
  then the mistake catalogue, then the exception with the learner's own line;
- ``ex.call_keeping_locals(...)``: the same, also returning the function's local variables;
- ``ex.line(exc)`` / ``ex.where(exc)``: the learner's line an exception (or the running code) is on;
- ``ex.expect(Expect(...), ...)``: the declarative check (see :mod:`.declare`);
- ``errors=[known("id"), ...]``: the known wrong exceptions lesson.toml declares for the exercise;
- ``ex.notes``: lines added to a passing verdict.

Checkers judge values and runtime evidence, never the learner's source text.
"""

from __future__ import annotations

import inspect
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, NoReturn, Sequence

from ..pysource import read_source
from .api import describe, fail
from .calls import Known, LearnerLine, WrongError, learner_line, learner_locals, run_keeping_locals, translate, where
from .declare import Expect, judge



class KnownErrorMissing(LookupError):
    """A checker asked for a known error its exercise does not declare: the course is broken."""


Context = Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None
Errors = Sequence[WrongError | Known] | Known


def execute_learner(file: Path) -> tuple[dict, str]:
    """Execute the learner's file as a module named ``exercise``. Raises what it raises, and
    :class:`~torchtutor.pysource.SourceError` for a file Python cannot read as source (read as
    Python reads it: UTF-8, or the encoding a PEP 263 coding line declares)."""
    source = read_source(file)
    code = compile(source, str(file), "exec")
    namespace: dict = {"__name__": "exercise", "__file__": str(file), "__builtins__": __builtins__}
    sys.path.insert(0, str(file.parent))
    try:
        exec(code, namespace)
    finally:
        try:
            sys.path.remove(str(file.parent))
        except ValueError:
            pass
    return namespace, source


@dataclass
class ExerciseRun:
    """The learner's namespace and the helpers around it."""

    namespace: dict[str, Any]
    file: Path
    source: str = ""
    exercise_id: str = ""
    notes: list[str] = field(default_factory=list)
    known: dict[str, WrongError] = field(default_factory=dict)   # lesson.toml's known errors, by id

    def resolve(self, errors: Errors) -> list[WrongError]:
        """``errors`` with each :func:`~.calls.known` reference replaced by the WrongErrors lesson.toml
        declares for this exercise under those ids (all of them, in the order written, for
        ``known()``), their placeholders filled with its values."""
        out: list[WrongError] = []
        for item in [errors] if isinstance(errors, Known) else errors:
            if not isinstance(item, Known):
                out.append(item)
                continue
            missing = [i for i in item.ids if i not in self.known]
            if missing:
                raise KnownErrorMissing(f"lesson.toml declares no known error {missing[0]!r} for "
                                        f"{self.exercise_id or 'this exercise'}")
            chosen = [self.known[i] for i in item.ids] if item.ids else list(self.known.values())
            out.extend(k.filled(item.values) if item.values else k for k in chosen)
        return out

    # ------------------------------------------------------------------ names
    def get(self, name: str, *, placeholder_ok: bool = False) -> Any:
        """The learner's top-level ``name``; a missing name or a None left from the
        starter fails with a message that says which line to finish."""
        if name not in self.namespace:
            fail(f"Your file does not define `{name}` yet.",
                 f"The exercise asks for a top-level name `{name}`; check the spelling, and that it is not inside a function.",
                 failure="missing-name")
        value = self.namespace[name]
        if value is None and not placeholder_ok:
            fail(f"`{name}` is still None: replace the placeholder with your code.", failure="placeholder")
        if value is Ellipsis:
            fail(f"`{name}` is still `...`: replace the placeholder with your code.", failure="placeholder")
        return value

    def signature(self, name: str) -> inspect.Signature:
        return inspect.signature(self.get(name))

    def _callable(self, fn: str | Callable[..., Any]) -> tuple[Callable[..., Any], str]:
        if not isinstance(fn, str):
            return fn, getattr(fn, "__name__", type(fn).__name__)
        value = self.get(fn)
        if not callable(value):
            fail(f"`{fn}` should be a function or class, but it is {describe(value)}.", failure="not-callable")
        return value, fn

    # ------------------------------------------------------------------ calls
    def call(self, fn: str | Callable[..., Any], *args: Any, errors: Errors = (),
             doing: str | None = None, context: Context = None, **kwargs: Any) -> Any:
        """Call the learner's function ``fn`` (a top-level name, or any callable: a model, a
        method) with ``args``; an exception becomes a verdict (see :meth:`fail_on`). ``context``
        (a mapping, or a function that returns one when an exception needs it, such as a
        probe's ``crash_context``) tells the catalogue what a probe saw before the crash."""
        target, label = self._callable(fn)
        doing = doing or f"Calling `{label}(...)`"
        errors = self.resolve(errors)
        catch = _catchable(errors)
        try:
            return target(*args, **kwargs)
        except catch as exc:
            self.fail_on(exc, doing, errors, context)

    def call_keeping_locals(self, fn: str | Callable[..., Any], *args: Any, errors: Errors = (),
                            doing: str | None = None, context: Context = None,
                            **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Like :meth:`call`, and also return the function's local variables as they were when it
        returned: ``result, local = ex.call_keeping_locals("train_step", w, b)``."""
        target, label = self._callable(fn)
        result, local, exc = run_keeping_locals(target, args, kwargs)
        if exc is not None:
            self.fail_on(exc, doing or f"Calling `{label}(...)`", errors, context)
        return result, local

    def function(self, name: str, *, errors: Errors = ()) -> Callable[..., Any]:
        """The learner's function ``name``, wrapped so that every call goes through :meth:`call`."""
        self._callable(name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, *args, errors=errors, **kwargs)

        wrapped.__name__ = name
        return wrapped

    def fail_on(self, exc: BaseException, doing: str, errors: Errors = (),
                context: Context = None) -> NoReturn:
        """Fail with the verdict for ``exc``, raised by learner code while ``doing``: the first
        declared WrongError that matches, else the catalogue's explanation, else the exception
        with the learner's line."""
        facts = context() if callable(context) else context
        raise translate(exc, self.file, doing, self.resolve(errors), facts) from None

    def rerun(self, seed: int | None = None) -> dict[str, Any]:
        """Execute the learner's file again, in a fresh namespace, and return that namespace:
        with ``seed``, after seeding random, NumPy and torch with it (to see whether values the
        file draws behave like the distribution they should come from); or after the checker
        has patched something the file reads at import time (``torch.cuda.is_available``)."""
        if seed is not None:
            import numpy as np
            import torch

            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
        try:
            namespace, _ = execute_learner(self.file)
        except Exception as exc:
            self.fail_on(exc, "Running your file again")
        return namespace

    # ------------------------------------------------------------------ lines
    def line(self, exc: BaseException | None = None) -> LearnerLine | None:
        """The learner's line ``exc`` was raised from (or, without ``exc``, the learner's line the
        running code was called from): ``.lineno`` and ``.text``, or None."""
        return learner_line(self.file, exc)

    def locals_at(self, exc: BaseException) -> dict[str, Any]:
        """The learner's local variables where ``exc`` was raised (in a WrongError's ``when`` or
        message function: "h is a plain float here, so the graph was cut")."""
        return learner_locals(self.file, exc)

    def where(self, exc: BaseException | None = None) -> list[str]:
        """``["line 12: <the learner's line>"]`` for a verdict's details, or ``[]``."""
        return where(self.file, exc)

    # ------------------------------------------------------------------ declarative
    def expect(self, *items: Expect) -> list[Any]:
        """Judge each item in order; return the learner's values."""
        return [judge(self, item) for item in items]


def _catchable(errors: Sequence[WrongError]) -> tuple[type[BaseException], ...]:
    """Exception, plus any BaseException a WrongError declares (a checker's own budget signal)."""
    extra: list[type[BaseException]] = []
    for known in errors:
        types = known.exception if isinstance(known.exception, tuple) else (known.exception,)
        extra.extend(t for t in types if not issubclass(t, Exception))
    return (Exception, *extra)

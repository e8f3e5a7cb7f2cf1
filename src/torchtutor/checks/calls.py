"""Running learner code and turning what it raises into a verdict.

Three pieces, used through :class:`~torchtutor.checks.exercise.ExerciseRun`:

- :class:`WrongError`, a known wrong *exception*, declared the way :class:`~.api.Wrong`
  declares a known wrong value: the exception type(s), a pattern its message matches,
  the sentence that names the mistake, the failure tag and the misconceptions.
- :func:`translate`, which turns an exception from learner code into a
  :class:`~.api.CheckFailure`, trying in order: the checker's declared WrongErrors,
  the mistake catalogue of :mod:`torchtutor.diagnose` (one set of PyTorch message
  matchers for the checkers and ``doctor``), and last a verdict that names the
  exception and quotes the learner's own line.
- :func:`learner_line` and :func:`where`, which find that line: the innermost frame of
  a traceback (or of the current stack) that lies in the learner's file.

:func:`run_keeping_locals` runs a function and keeps its local variables as they were
when it returned (or raised), for checks such as "inside your function `w` became a
new tensor" that only the function's own frame can show.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .api import CheckFailure


@dataclass(frozen=True)
class LearnerLine:
    """A line of the learner's file: its number and its text (stripped)."""

    lineno: int
    text: str

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.text}"


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:  # pragma: no cover - a vanished path
        return str(a) == str(b)


def learner_line(file: Path, exc: BaseException | None = None) -> LearnerLine | None:
    """The innermost line of ``file`` in ``exc``'s traceback or, without ``exc``, in the
    stack that is running now (for a hook that wants to know which learner line called it)."""
    if exc is not None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if _same_file(f.filename, file)]
        if not frames:
            return None
        frame = frames[-1]
        return LearnerLine(frame.lineno or 0, code_of(frame.line or ""))
    frame = sys._getframe(1)
    while frame is not None:
        if _same_file(frame.f_code.co_filename, file):
            import linecache

            return LearnerLine(frame.f_lineno, code_of(linecache.getline(str(file), frame.f_lineno)))
        frame = frame.f_back
    return None


def code_of(line: str) -> str:
    """A line of source without its indentation and trailing comment (a ``#`` inside a string stays)."""
    text = line.strip()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                return text[:token.start[1]].rstrip() or text
    except (tokenize.TokenError, SyntaxError):  # a line that opens a bracket it closes later
        pass
    return text


def learner_locals(file: Path, exc: BaseException) -> dict[str, Any]:
    """The local variables of the innermost frame of ``file`` in ``exc``'s traceback, as they were
    when it raised: runtime evidence of what the learner's code held at that moment."""
    found: dict[str, Any] = {}
    tb = exc.__traceback__
    while tb is not None:
        if _same_file(tb.tb_frame.f_code.co_filename, file):
            found = tb.tb_frame.f_locals
        tb = tb.tb_next
    return dict(found)


def where(file: Path, exc: BaseException | None = None) -> list[str]:
    """``["line 12: s = s.mul_(scale)"]`` for the learner's line, or ``[]`` when there is none:
    ready to go into a verdict's details."""
    line = learner_line(file, exc)
    return [str(line)] if line and line.text else []


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _fill(text: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


@dataclass
class WrongError:
    """A known wrong exception: what a common mistake raises, and what to say about it.

    ``exception``      the type (or a tuple of types) the mistake raises
    ``pattern``        a regular expression searched for in the exception's message ("" matches any)
    ``message``        the verdict's summary, naming the mistake (or a function of the exception
                       that writes it, when the words depend on what the learner's frame held)
    ``failure``        the failure tag (it picks the first hint)
    ``misconceptions`` the misconception ids the mistake points at
    ``details``        further lines: why it happens, what to write instead
    ``when``           an extra predicate on the exception, for what a pattern cannot say

    :meth:`WrongError.catalogue` declares instead what to add when the mistake catalogue
    recognises the exception as one of its ids: the catalogue stays the one place that reads
    PyTorch's messages, and the lesson adds its misconceptions and its own words.

    In ``message`` and ``details``, ``{doing}`` stands for what was being done ("Calling
    `gate(z, 3.0)`") and ``{error}`` for the first line of the exception's message. The
    learner's own line is added as the first detail.
    """

    exception: type[BaseException] | tuple[type[BaseException], ...]
    pattern: str
    message: str | Callable[[BaseException], str]
    failure: str
    misconceptions: Sequence[str] = ()
    details: Sequence[str] = ()
    when: Callable[[BaseException], bool] | None = None
    finding: str | None = None

    @classmethod
    def catalogue(cls, finding: str, message: str = "", *, failure: str | None = None,
                  misconceptions: Sequence[str] = (), details: Sequence[str] = (),
                  when: Callable[[BaseException], bool] | None = None) -> "WrongError":
        """What to say when the catalogue translates the exception as ``finding`` (an id such as
        ``non-scalar-backward``). An empty ``message`` keeps the catalogue's summary; ``failure``
        defaults to the id; ``details`` replace the catalogue's; ``when`` narrows it with evidence
        the checker holds (a probe's counts). Besides ``{doing}`` and
        ``{error}``, the finding's evidence fills in (``{shape}`` for non-scalar-backward)."""
        return cls(BaseException, "", message, failure or finding, misconceptions, details, when, finding)

    def filled(self, values: Mapping[str, str]) -> "WrongError":
        """This declaration with the placeholders named in ``values`` filled in its message and details."""
        message = self.message if callable(self.message) else _fill(self.message, values)
        return replace(self, message=message, details=tuple(_fill(d, values) for d in self.details))

    def matches(self, exc: BaseException) -> bool:
        if self.finding is not None:
            return False      # matched through the catalogue, in translate()
        if not isinstance(exc, self.exception):
            return False
        if self.pattern and re.search(self.pattern, str(exc)) is None:
            return False
        return _holds(self.when, exc)

    def text(self, exc: BaseException, values: Mapping[str, str]) -> str:
        message = self.message(exc) if callable(self.message) else self.message
        return _fill(message, values)

    def failure_for(self, exc: BaseException, file: Path, doing: str) -> CheckFailure:
        values = {"doing": doing, "error": first_line(exc)}
        return CheckFailure(self.text(exc, values), where(file, exc) + [_fill(d, values) for d in self.details],
                            self.misconceptions, self.failure)


@dataclass(frozen=True)
class Known:
    """A reference to known wrong exceptions the exercise declares in lesson.toml
    (``[[exercises.known_errors]]``), made by :func:`known`; resolved when the call runs."""

    ids: tuple[str, ...]
    values: Mapping[str, str]


def known(*ids: str, **values: object) -> Known:
    """The known wrong exceptions lesson.toml declares for the exercise being checked, for an
    ``errors=`` list (``errors=[known("weight-not-transposed", "star-is-matmul"), OTHER]``): those
    named, in that order, or all of them in the order written. ``values`` fill placeholders of the
    same name in their message and details (``what="`collapse(first, second)`"`` for ``{what}``),
    for words the checker knows only at check time; ``{doing}`` and ``{error}`` are filled when an
    exception is translated. Usable where no ``ex`` exists yet, as in an ``EXPECT`` list."""
    return Known(tuple(ids), {k: str(v) for k, v in values.items()})


def _holds(when: Callable[[BaseException], bool] | None, exc: BaseException) -> bool:
    try:
        return when is None or bool(when(exc))
    except Exception:  # a predicate that fails on an odd exception simply does not match
        return False


def translate(exc: BaseException, file: Path, doing: str, errors: Sequence[WrongError] = (),
              context: Mapping[str, Any] | None = None) -> CheckFailure:
    """The verdict for ``exc``, raised by learner code while ``doing``: a declared
    WrongError if one matches, else the catalogue's finding, else the exception itself
    with the learner's line. ``context`` is passed to :func:`torchtutor.diagnose.explain_exception`."""
    if isinstance(exc, CheckFailure):
        return exc
    for known in errors:
        if known.matches(exc):
            return known.failure_for(exc, file, doing)
    line = learner_line(file, exc)
    at = f" on line {line.lineno}" if line else ""
    details = [str(line)] if line and line.text else []
    summary = f"{doing} raised {type(exc).__name__}{at}: {first_line(exc)}".rstrip(": ")
    from torchtutor.diagnose import explain_exception  # the catalogue: the PyTorch messages both engines know

    finding = explain_exception(exc, context)
    if finding is not None:
        said = [f"PyTorch said: {first_line(exc)}"] if first_line(exc) else []
        verdict = CheckFailure(f"{doing} raised {type(exc).__name__}{at}: {finding.title}.",
                               details + said + [finding.message], [finding.id], finding.id)
        for known in errors:
            if known.finding == finding.id and _holds(known.when, exc):
                values = {"doing": doing, "error": first_line(exc), **{k: str(v) for k, v in finding.evidence.items()}}
                verdict.summary = known.text(exc, values) if known.message else verdict.summary
                verdict.args = (verdict.summary,)
                if known.details:      # the lesson's words replace the catalogue's general ones
                    verdict.details = details + said + [_fill(d, values) for d in known.details]
                verdict.misconceptions = [*known.misconceptions, finding.id]
                verdict.failure = known.failure
                break
        return verdict
    return CheckFailure(summary, details, (), type(exc).__name__)


def run_keeping_locals(fn: Callable[..., Any], args: Sequence[Any] = (),
                       kwargs: Mapping[str, Any] | None = None) -> tuple[Any, dict[str, Any], BaseException | None]:
    """Call ``fn(*args, **kwargs)``; return ``(result, locals, exception)``: what it returned
    (None if it raised), its local variables as they were when its frame ended, and the
    exception it raised (None if it returned)."""
    captured: dict[str, Any] = {}
    code = getattr(fn, "__code__", None) or getattr(getattr(fn, "__func__", None), "__code__", None)
    previous = sys.getprofile()

    def profiler(frame: Any, event: str, arg: Any) -> None:
        if event == "return" and frame.f_code is code:
            captured.clear()
            captured.update(frame.f_locals)

    sys.setprofile(profiler)
    try:
        return fn(*args, **(kwargs or {})), captured, None
    except Exception as exc:
        return None, captured, exc
    finally:
        sys.setprofile(previous)

"""Run one exercise: the learner's file, then its checker. Returns a Verdict.

This runs inside the runner's forked child, so it may execute anything; the runner
handles what escapes (exits, signals, time-outs, floods). Here every ordinary failure
becomes a Verdict whose summary names the mistake: syntax errors with line and caret,
import errors, exceptions with the learner's line, and the checker's own failures.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from ..pysource import SourceError
from .api import CheckFailure
from .calls import translate
from .declare import judge_all
from .exercise import ExerciseRun, KnownErrorMissing, execute_learner
from .known_errors import exercise_known_errors
from .verdict import Verdict, missing_file_verdict


def _syntax_verdict(exercise_id: str, exc: SyntaxError, file: Path) -> Verdict:
    line = exc.lineno or 0
    details = []
    if exc.text:
        text = exc.text.rstrip("\n")
        details.append(f"{line:>4} | {text}")
        if exc.offset:
            details.append("     | " + " " * (exc.offset - 1) + "^")
    return Verdict(id=exercise_id, passed=False,
                   summary=f"Python cannot read your file: {exc.msg} (line {line} of {file.name}).",
                   details=details, failure="syntax-error")


def _source_verdict(exercise_id: str, exc: SourceError) -> Verdict:
    """A file Python cannot read as source: the line that is not text in its encoding and how to
    save the file as UTF-8, or that it is a binary file and how to get the starter back."""
    if exc.kind == "binary":
        return Verdict(id=exercise_id, passed=False, summary=exc.problem,
                       details=[f"Run `torchtutor reset {exercise_id}` to get the starter back "
                                "(your file is kept in .torchtutor/backups/)."],
                       failure="binary-file")
    details = [f"{exc.line:>4} | {exc.text}"] if exc.text else []
    return Verdict(id=exercise_id, passed=False, summary=exc.problem, details=details + [exc.advice],
                   failure="not-utf8" if exc.kind == "encoding" else "unknown-encoding")


def _broken_checker_verdict(exercise_id: str, checker_file: Path, exc: Exception | None) -> Verdict:
    """The checker itself cannot judge (it does not load, or defines neither check() nor EXPECT):
    say it is the course's fault, never pass the learner's code and never blame it."""
    if isinstance(exc, SyntaxError):
        why = f"{exc.msg} at line {exc.lineno} of {checker_file}"
    elif exc is not None:
        why = f"{type(exc).__name__}: {exc}"
    else:
        why = f"{checker_file} defines neither check(ex) nor EXPECT"
    return Verdict(id=exercise_id, passed=False,
                   summary=f"The checker of {exercise_id} is broken ({why}), so your code was not judged.",
                   details=["This is a problem in the course, not in your code. If you edited the course, fix the "
                            "checker (`torchtutor curriculum lint` helps); if you did not, reinstall torchtutor."],
                   failure="checker-broken")


def load_checker(checker_file: Path) -> ModuleType:
    name = "torchtutor_checker_" + checker_file.stem
    spec = importlib.util.spec_from_file_location(name, checker_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load checker {checker_file}")
    module = importlib.util.module_from_spec(spec)
    # Checkers of one lesson may share helpers in the same folder (``_helpers.py``).
    folder = str(checker_file.parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    finally:
        try:
            sys.path.remove(folder)
        except ValueError:
            pass
    return module


def _failed(ledger: list, exercise_id: str, exc: CheckFailure, more: list[str] | None = None) -> Verdict:
    """The failed verdict for ``exc``, recorded in ``ledger`` from the checker's own values."""
    ledger.append((exc.failure or "failed", exc.summary))
    return Verdict(id=exercise_id, passed=False, summary=exc.summary, details=exc.details + (more or []),
                   misconceptions=exc.misconceptions, failure=exc.failure)


def _noted(ledger: list, verdict: Verdict) -> Verdict:
    """A failed verdict made before any learner code ran, recorded in ``ledger``."""
    ledger.append((verdict.failure or "failed", verdict.summary))
    return verdict


def run_exercise(exercise_id: str, learner_file: str, checker_file: str, failures: list | None = None) -> Verdict:
    """Run the learner's file, then its checker; the Verdict says how that went.

    ``failures``: when given (the runner's child gives it), every failure is also appended to
    it as ``(failure tag, summary)``, taken from the checker's own values rather than from the
    Verdict, which the learner's code may have patched by then. The runner passes a check only
    when this list stays empty, whatever the Verdict claims.
    """
    ledger: list = [] if failures is None else failures
    file = Path(learner_file)
    if not file.is_file():
        return _noted(ledger, missing_file_verdict(exercise_id, file))
    try:
        namespace, source = execute_learner(file)
    except SyntaxError as exc:
        return _noted(ledger, _syntax_verdict(exercise_id, exc, file))
    except SourceError as exc:
        return _noted(ledger, _source_verdict(exercise_id, exc))
    except ImportError as exc:
        failure = translate(exc, file, "Importing")
        return _failed(ledger, exercise_id, CheckFailure(
            f"An import in your file failed: {exc}.",
            failure.details + ["Check the module name; the exercises need only torch, numpy and the standard library."],
            failure="import-error"))
    except CheckFailure as exc:
        return _failed(ledger, exercise_id, exc)
    except Exception as exc:
        return _failed(ledger, exercise_id, translate(exc, file, "Your code"))

    run = ExerciseRun(namespace=namespace, file=file, source=source, exercise_id=exercise_id)
    try:
        run.known = exercise_known_errors(Path(checker_file))
        checker = load_checker(Path(checker_file))
    except Exception as exc:
        return _broken_checker_verdict(exercise_id, Path(checker_file), exc)
    if getattr(checker, "check", None) is None and not getattr(checker, "EXPECT", None):
        return _broken_checker_verdict(exercise_id, Path(checker_file), None)
    try:
        judge_all(run, getattr(checker, "EXPECT", ()))
        check = getattr(checker, "check", None)
        result = check(run) if check is not None else getattr(checker, "PASSED", "")
    except CheckFailure as exc:
        return _failed(ledger, exercise_id, exc)
    except AssertionError as exc:
        return _failed(ledger, exercise_id, CheckFailure(str(exc) or "A check did not hold.", failure="assertion"))
    except KnownErrorMissing as exc:
        return _noted(ledger, _broken_checker_verdict(exercise_id, Path(checker_file), exc))
    except Exception as exc:
        # Something the learner defined misbehaved in a way the checker did not foresee.
        return _failed(ledger, exercise_id, translate(exc, file, "Checking your code"),
                       ["(The checker met something it did not expect; the line above is the best lead.)"])
    summary = result if isinstance(result, str) and result else "All checks passed."
    return Verdict(id=exercise_id, passed=True, summary=summary, details=run.notes)

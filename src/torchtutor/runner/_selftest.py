"""A minimal check target, for the runner's own tests and latency benchmark.

``run_exercise`` follows the real harness (``torchtutor.checks.harness``) in
outline, without its checker API: it runs the learner file as a module named
``exercise``, then, when a checker file is given, loads it and calls its
``check(run)``, where ``run.namespace`` holds the learner's globals (as the harness's
``ExerciseRun`` does). ``check`` returns None or a string to pass, or raises
AssertionError to fail. Ordinary exceptions become failed verdicts; ``SystemExit``
and ``KeyboardInterrupt`` escape, as they do from the real harness, so that the
runner's handling of them is exercised.
"""

from __future__ import annotations

import runpy
from types import SimpleNamespace
from typing import Any

from torchtutor.checks.verdict import Verdict

TARGET = "torchtutor.runner._selftest:run_exercise"


def run_exercise(exercise_id: str, learner_file: str, checker_file: str) -> Verdict:
    """Run ``learner_file``, then the optional checker's ``check(run)``."""
    try:
        namespace: dict[str, Any] = runpy.run_path(learner_file, run_name="exercise")
    except Exception as exc:  # noqa: BLE001 - an error in the learner's code is a verdict
        return Verdict(
            id=exercise_id,
            passed=False,
            summary=f"Your code raised {type(exc).__name__}: {exc}",
            failure="exception",
        )
    if checker_file:
        checker = runpy.run_path(checker_file, run_name="torchtutor_checker")
        run = SimpleNamespace(namespace=namespace, file=learner_file, exercise_id=exercise_id)
        try:
            result = checker["check"](run)
        except AssertionError as exc:
            return Verdict(id=exercise_id, passed=False, summary=str(exc) or "A check did not hold.", failure="assertion")
        if isinstance(result, str) and result:
            return Verdict(id=exercise_id, passed=True, summary=result)
    return Verdict(id=exercise_id, passed=True, summary="All checks passed.")

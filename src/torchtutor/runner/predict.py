"""A predict check's code, evaluated in a check child of the warm worker.

The request is an ordinary :class:`~torchtutor.runner.CheckRequest` whose target is
:func:`evaluate_target`: the worker's sandbox (timeout, output cap, memory and process
limits, seeded RNGs, cleanup) applies to a course's check code exactly as it does to a
learner's exercise. ``learner_file`` is a small JSON file ``{"where", "code", "kind"}``
written by :meth:`Runner.evaluate`; the answer travels back in the verdict:

* passed, ``details == [json(value), printed output]`` - the value as
  :func:`torchtutor.curriculum.evaluate.evaluate_code` normalised it;
* failed with failure :data:`CHECK_CODE` - ``summary`` is CheckCodeError's paragraph.

Any other failed verdict (a timeout, the memory limit, a crash) is the sandbox's, and
``Runner.evaluate`` words it as a bug in the course too.
"""

from __future__ import annotations

import json

from torchtutor.checks.verdict import Verdict
from torchtutor.curriculum.evaluate import CheckCodeError, evaluate_code

CHECK_CODE = "check-code"  # failure tag: the check's own code failed (CheckCodeError)
TARGET = "torchtutor.runner.predict:evaluate_target"


def evaluate_target(exercise_id: str, learner_file: str, checker_file: str) -> Verdict:
    """Run in the check child: read the request file, evaluate, answer as a verdict."""
    with open(learner_file, encoding="utf-8") as fh:
        spec = json.load(fh)
    try:
        value, output = evaluate_code(spec["where"], spec["code"], spec["kind"])
    except CheckCodeError as exc:
        return Verdict(id=exercise_id, passed=False, summary=str(exc), failure=CHECK_CODE)
    return Verdict(id=exercise_id, passed=True, summary="evaluated", details=[json.dumps(value), output])

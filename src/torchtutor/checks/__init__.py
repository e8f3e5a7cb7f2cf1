"""The checks layer: the API checkers are written in, the harness that runs an
exercise with its checker, and the Verdict that comes out. docs/checks-api.md is the guide."""

from .api import CheckFailure, Wrong, describe, device_type, expect_close, expect_tensor, expect_true, fail
from .calls import LearnerLine, WrongError, known
from .declare import Expect
from .exercise import ExerciseRun
from .verdict import Verdict

__all__ = ["CheckFailure", "ExerciseRun", "Expect", "LearnerLine", "Verdict", "Wrong", "WrongError", "describe", "device_type",
           "expect_close", "expect_tensor", "expect_true", "fail", "known"]

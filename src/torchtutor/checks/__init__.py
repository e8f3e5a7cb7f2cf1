"""The checks layer: the API checkers are written in, the harness that runs an
exercise with its checker, and the Verdict that comes out."""

from .api import CheckFailure, ExerciseRun, Wrong, describe, expect_close, expect_tensor, expect_true, fail
from .verdict import Verdict

__all__ = ["CheckFailure", "ExerciseRun", "Verdict", "Wrong", "describe", "expect_close", "expect_tensor",
           "expect_true", "fail"]

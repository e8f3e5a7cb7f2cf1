"""Failures, known wrong values and the comparisons that explain a difference in words.

A checker fails by raising :class:`CheckFailure` (through :func:`fail` or the
``expect_*`` helpers). Known wrong answers, in the manner of Kaggle's learntools: pass
``wrong=[Wrong(...)]`` to a comparison. Each :class:`Wrong` holds a value (or a
predicate) that a common mistake produces, the message that explains that mistake, and
the misconception ids it points at; when the learner's value matches one, that message
is the verdict. The rest of the API (``ex.call``, ``WrongError``, ``Expect``) is in
:mod:`.exercise`, :mod:`.calls` and :mod:`.declare`; docs/checks-api.md is the guide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, NoReturn, Sequence

MISSING = object()


#: Failure tags about the *form* of an answer, not its meaning: the wrong type, a missing
#: part (a key, a layer by name, a return value), a class where an instance belongs. A
#: checker that uses one must say in the verdict itself which form is expected ("`collapse`
#: should return a pair (W_eff, b_eff), but it returns None"), so a hint could only repeat
#: it, and lint does not ask for one (`torchtutor curriculum lint`, docs/course-format.md).
#: A tag for a mistake in what the code computes never belongs here: it gets a hint.
STRUCTURAL_FAILURES = frozenset({
    "wrong-type",          # the answer is not of the type asked for (a float, a dict, a pair, a device)
    "wrong-length",        # a list with the wrong number of items
    "not-a-pair",          # a function returns something other than the pair it should
    "not-a-module",        # something other than an nn.Module where a model is asked for
    "not-a-layer",         # something other than an nn.Linear where a layer is asked for
    "not-sequential",      # something other than a new nn.Sequential
    "not-a-loader",        # something other than a DataLoader where one is asked for
    "class-not-instance",  # the class (nn.Linear) where an object (nn.Linear(1, 1)) is asked for
    "missing-key",         # a dict without one of the keys asked for
    "missing-layer",       # a module without a layer under the name the exercise gives
    "missing-return",      # right work, but the function returns None instead of the object asked for
})

class CheckFailure(Exception):
    """A failed check: ``summary`` names the mistake, ``details`` say why."""

    def __init__(self, summary: str, details: Iterable[str] = (), misconceptions: Iterable[str] = (),
                 failure: str | None = None):
        super().__init__(summary)
        self.summary = summary
        self.details = list(details)
        self.misconceptions = list(misconceptions)
        self.failure = failure


def fail(summary: str, *details: str, misconceptions: Iterable[str] = (), failure: str | None = None) -> NoReturn:
    raise CheckFailure(summary, details, misconceptions, failure)


@dataclass
class Wrong:
    """A known wrong answer. ``value`` is compared like the right answer would be (or
    ``when`` is a predicate on the learner's value); ``message`` explains the mistake."""

    message: str
    value: Any = MISSING
    when: Callable[[Any], bool] | None = None
    misconceptions: Sequence[str] = ()
    failure: str | None = None
    details: Sequence[str] = ()

    def matches(self, actual: Any, atol: float, rtol: float) -> bool:
        try:
            if self.when is not None:
                return bool(self.when(actual))
            if self.value is MISSING:
                return False
            return _same(actual, self.value, atol, rtol)
        except Exception:
            return False

    def raise_(self) -> NoReturn:
        raise CheckFailure(self.message, self.details, self.misconceptions, self.failure or (self.misconceptions[0] if self.misconceptions else "known-wrong-answer"))


def _torch():
    import torch  # imported lazily so that this module stays cheap to import

    return torch


def _is_tensor(x: Any) -> bool:
    torch = _torch()
    return isinstance(x, torch.Tensor)


def _same(actual: Any, expected: Any, atol: float, rtol: float) -> bool:
    torch = _torch()
    if _is_tensor(expected):
        if not _is_tensor(actual) or tuple(actual.shape) != tuple(expected.shape):
            return False
        a = actual.detach().to("cpu")
        e = expected.detach().to("cpu")
        if a.dtype.is_floating_point or e.dtype.is_floating_point:
            return bool(torch.allclose(a.double(), e.double(), atol=atol, rtol=rtol, equal_nan=False))
        return bool(torch.equal(a, e.to(a.dtype)))
    if isinstance(expected, float) or isinstance(actual, float):
        try:
            return math.isclose(float(actual), float(expected), abs_tol=atol, rel_tol=rtol)
        except (TypeError, ValueError):
            return False
    return actual == expected


def device_type(value: Any) -> str | None:
    """The device type a learner's answer names (``"cuda"`` for ``torch.device("cuda:0")`` or
    ``"cuda"``), or None when it names no device at all."""
    torch = _torch()
    if isinstance(value, torch.device):
        return value.type
    if isinstance(value, str):
        try:
            return torch.device(value).type
        except RuntimeError:
            return None
    return None


def shape_words(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def describe(value: Any) -> str:
    """A short description of a value for a message: tensors by shape, dtype and device."""
    if _is_tensor(value):
        return f"a tensor of shape {shape_words(value.shape)}, dtype {value.dtype}, on {value.device}"
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return f"a NumPy array of shape {shape_words(value.shape)} and dtype {value.dtype}"
    except ImportError:  # pragma: no cover - numpy ships with torch here
        pass
    if value is None:
        return "None"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 60 else text[:57] + '...'}"


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _worst_element(actual, expected) -> str:
    torch = _torch()
    a = actual.detach().to("cpu").double()
    e = expected.detach().to("cpu").double()
    diff = (a - e).abs()
    if diff.numel() == 0:
        return ""
    flat = int(torch.argmax(torch.nan_to_num(diff, nan=float("inf"))))
    index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), a.shape)) if a.dim() else ()
    where = f" at index {index if len(index) != 1 else index[0]}" if index else ""
    return f"the worst is{where}: got {_fmt(float(a.reshape(-1)[flat]))}, expected {_fmt(float(e.reshape(-1)[flat]))}"


def expect_tensor(actual: Any, expected: Any = None, *, name: str, shape: Sequence[int] | None = None,
                  dtype: Any = None, device: str | None = None, atol: float = 1e-5, rtol: float = 1e-4,
                  wrong: Sequence[Wrong] = (), requires_grad: bool | None = None,
                  misconceptions: Sequence[str] = ()) -> None:
    """Compare a learner's tensor with what it should be, reporting the first
    difference in words: type, known wrong answers, shape, dtype, device, values."""
    torch = _torch()
    for w in wrong:
        if w.matches(actual, atol, rtol):
            w.raise_()
    if not _is_tensor(actual):
        hint = ""
        try:
            import numpy as np

            if isinstance(actual, np.ndarray):
                hint = " Convert it with torch.from_numpy(...) or build it with torch.tensor(...)."
        except ImportError:  # pragma: no cover
            pass
        fail(f"`{name}` should be a torch.Tensor, but it is {describe(actual)}.{hint}", failure="not-a-tensor",
             misconceptions=misconceptions)
    want_shape = tuple(shape) if shape is not None else (tuple(expected.shape) if _is_tensor(expected) else None)
    if want_shape is not None and tuple(actual.shape) != want_shape:
        fail(f"`{name}` has shape {shape_words(actual.shape)}, but it should have shape {shape_words(want_shape)}.",
             "Shape is the first thing to check: print(x.shape) after each step to see where it changes.",
             failure="wrong-shape", misconceptions=misconceptions)
    want_dtype = dtype if dtype is not None else (expected.dtype if _is_tensor(expected) else None)
    if want_dtype is not None and actual.dtype != want_dtype:
        details = []
        if actual.dtype == torch.float64 and want_dtype == torch.float32:
            details.append("NumPy arrays are float64 by default and torch.from_numpy keeps that dtype; "
                           "PyTorch's layers and defaults are float32. Convert with .float().")
        fail(f"`{name}` has dtype {actual.dtype}, but it should be {want_dtype}.", *details,
             failure="float64-from-numpy" if actual.dtype == torch.float64 else "wrong-dtype",
             misconceptions=misconceptions)
    want_device = device if device is not None else (str(expected.device) if _is_tensor(expected) else None)
    if want_device is not None and actual.device.type != torch.device(want_device).type:
        fail(f"`{name}` lives on {actual.device}, but it should be on {want_device}.",
             "All tensors in one operation must be on the same device: move one with .to(other.device).",
             failure="device-mismatch", misconceptions=misconceptions)
    if requires_grad is not None and actual.requires_grad != requires_grad:
        state = "records operations (requires_grad=True)" if actual.requires_grad else "does not record operations (requires_grad=False)"
        fail(f"`{name}` {state}, but it should {'' if requires_grad else 'not '}require gradients.",
             failure="requires-grad", misconceptions=misconceptions)
    if _is_tensor(expected) and not _same(actual, expected, atol, rtol):
        a = actual.detach().to("cpu").double()
        e = expected.detach().to("cpu").double()
        bad = int((~torch.isclose(a, e, atol=atol, rtol=rtol)).sum())
        fail(f"`{name}` has the right shape but the wrong values: {bad} of {a.numel()} elements differ; "
             f"{_worst_element(actual, expected)}.", failure="wrong-values", misconceptions=misconceptions)


def expect_close(actual: Any, expected: float, *, name: str, atol: float = 1e-5, rtol: float = 1e-4,
                 wrong: Sequence[Wrong] = (), misconceptions: Sequence[str] = ()) -> None:
    """Compare a number (a Python number or a one-element tensor) with the expected one."""
    for w in wrong:
        if w.matches(actual, atol, rtol):
            w.raise_()
    value = actual
    if _is_tensor(actual):
        if actual.numel() != 1:
            fail(f"`{name}` should be a single number, but it is {describe(actual)}.", failure="not-scalar",
                 misconceptions=misconceptions)
        value = float(actual.detach().reshape(-1)[0])
    try:
        value = float(value)
    except (TypeError, ValueError):
        fail(f"`{name}` should be a number, but it is {describe(actual)}.", failure="not-a-number",
             misconceptions=misconceptions)
    if not math.isclose(value, float(expected), abs_tol=atol, rel_tol=rtol):
        fail(f"`{name}` is {_fmt(value)}, but it should be {_fmt(float(expected))}.", failure="wrong-value",
             misconceptions=misconceptions)


def expect_true(condition: Any, summary: str, *details: str, misconceptions: Sequence[str] = (),
                failure: str | None = None) -> None:
    if not condition:
        fail(summary, *details, misconceptions=misconceptions, failure=failure)

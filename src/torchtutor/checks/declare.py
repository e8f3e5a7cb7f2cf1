"""The declarative check: "these names, these expected values, these known wrong values".

In the manner of Kaggle learntools' ``EqualityCheckProblem``, the common exercise needs no
code of its own, only a list::

    EXPECT = [
        Expect("zeros", torch.zeros(3, 4), wrong=[Wrong("... 3 x 4 grid.", when=lambda t: t.shape == (12,),
                                                       failure="wrong-shape")]),
        Expect("center_rows", X - X.mean(dim=1, keepdim=True), args=(X,), label="center_rows(X)"),
    ]
    PASSED = "All six tensors match their NumPy twins."

The harness judges a checker's ``EXPECT`` in order before it calls the checker's
``check(ex)`` (which may then be absent; ``PASSED`` is the passing summary). A checker
can also judge items where it likes with ``ex.expect(item, ...)``.

Each item is judged by the comparison that fits its expected value: a tensor with
:func:`~.api.expect_tensor` (type, known wrong values, shape, dtype, device, values), a
number with :func:`~.api.expect_close`, anything else by equality. With ``args`` the
learner's function ``name`` is called (on fresh copies of the tensors, so one call cannot
spoil the next) and what it returns is judged; its exceptions go through ``errors`` and then
the catalogue, as for ``ex.call``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from .api import MISSING, Wrong, describe, expect_close, expect_tensor, fail, _is_tensor
from .calls import Known, WrongError

if TYPE_CHECKING:  # pragma: no cover
    from .exercise import ExerciseRun


@dataclass
class Expect:
    """One name of the learner's file and what it should hold (or, with ``args``, return).

    ``value``     the right answer (a tensor, a number, or any value compared with ==)
    ``wrong``     known wrong answers, tried first (see :class:`~.api.Wrong`)
    ``args``      call ``name(*args)`` and judge the result instead of the name itself
    ``errors``    known wrong exceptions of that call (see :class:`~.calls.WrongError`)
    ``label``     how messages name it (default: ``name``, or ``name(...)`` with args)
    ``shape``, ``dtype``, ``device``, ``requires_grad``: what a tensor must have, when
                  ``value`` is None or says less than that
    ``atol``, ``rtol``: tolerances for floats
    ``misconceptions``: ids a generic difference (shape, dtype, values) points at
    """

    name: str
    value: Any = MISSING
    wrong: Sequence[Wrong] = ()
    args: tuple | None = None
    errors: Sequence[WrongError | Known] = ()
    label: str | None = None
    shape: Sequence[int] | None = None
    dtype: Any = None
    device: str | None = None
    requires_grad: bool | None = None
    atol: float = 1e-5
    rtol: float = 1e-4
    misconceptions: Sequence[str] = ()

    @property
    def shown(self) -> str:
        if self.label:
            return self.label
        return f"{self.name}(...)" if self.args is not None else self.name

    def failures(self) -> list[str]:
        """The failure tags this item declares (for lint: which hints can fire)."""
        return [w.failure for w in self.wrong if w.failure] + [e.failure for e in self.errors if isinstance(e, WrongError)]


def _fresh(value: Any) -> Any:
    """A copy of a call argument, so that a function that changes its input in place
    cannot change what the next call (or the expected value) sees."""
    if _is_tensor(value):
        copy = value.detach().clone()
        return copy.requires_grad_(value.requires_grad) if value.is_leaf and value.requires_grad else copy
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return value


def judge(ex: "ExerciseRun", item: Expect) -> Any:
    """Judge one item against the learner's run; return the learner's value."""
    if item.args is not None:
        actual = ex.call(item.name, *_fresh(item.args), errors=item.errors, doing=f"Calling `{item.shown}`")
        if actual is None and item.value is not None:
            fail(f"`{item.shown}` returned None: replace the placeholder (`return None`, `...`) with your code.",
                 failure="placeholder")
    else:
        actual = ex.get(item.name)
    expected = item.value
    unstated = expected is MISSING or expected is None
    if _is_tensor(expected) or (unstated and (item.shape is not None or item.dtype is not None)):
        expect_tensor(actual, None if expected is MISSING else expected, name=item.shown, shape=item.shape,
                      dtype=item.dtype, device=item.device, requires_grad=item.requires_grad, atol=item.atol,
                      rtol=item.rtol, wrong=item.wrong, misconceptions=item.misconceptions)
    elif isinstance(expected, float) or (isinstance(expected, int) and not isinstance(expected, bool)
                                         and isinstance(actual, float)):
        expect_close(actual, expected, name=item.shown, atol=item.atol, rtol=item.rtol, wrong=item.wrong,
                     misconceptions=item.misconceptions)
    else:
        for w in item.wrong:
            if w.matches(actual, item.atol, item.rtol):
                w.raise_()
        if expected is not MISSING and not _equal(actual, expected):
            fail(f"`{item.shown}` is {describe(actual)}, but it should be {describe(expected)}.",
                 failure="wrong-value", misconceptions=item.misconceptions)
    return actual


def _equal(actual: Any, expected: Any) -> bool:
    """Equality as a learner means it: 2 == 2.0, a list equals the tuple with the same items,
    but True is not 1."""
    if isinstance(expected, (list, tuple)):
        return (isinstance(actual, (list, tuple)) and len(actual) == len(expected)
                and all(_equal(a, e) for a, e in zip(actual, expected)))
    if isinstance(actual, bool) != isinstance(expected, bool):
        return False
    try:
        return bool(actual == expected)
    except Exception:  # an object whose == raises, or a tensor compared with a number
        return False


def judge_all(ex: "ExerciseRun", items: Sequence[Expect]) -> None:
    for item in items:
        judge(ex, item)

"""Checker for autograd/polynomial-gradients.

Calls the learner's functions at several points (floats and whole numbers), twice at
the same point, and compares with the derivatives worked out by hand. Known slips get
their own verdicts: an int tensor that cannot record, a tensor that does not record,
reading .grad from the result, returning p instead of its slope, a gradient that piles
up across calls, and dq/da and dq/db in swapped order.
"""

import math
import warnings

import torch

from torchtutor.checks import describe, fail, known
from torchtutor.diagnose.loop_probe import BackwardCounter


def p(x):
    return 3 * x ** 3 - 4 * x ** 2 + 2 * x - 7


def dp(x):
    return 9 * x ** 2 - 8 * x + 2


def dq(a, b):
    return 2 * a * b, a ** 2 + 3 * b ** 2


NON_LEAF_GRAD = "is not a leaf Tensor is being accessed"


def _errors(doing, first):
    return [
        known("int-cannot-record", "not-recording", "loss-accumulated-with-graph", what=doing, first=repr(first)),
    ]


class Call:
    """What one call of a learner function returned, and what autograd saw meanwhile."""

    def __init__(self, ex, name, *args):
        shown = ", ".join(repr(a) for a in args)
        doing = f"`{name}({shown})`"
        with BackwardCounter() as backward, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.value = ex.call(name, *args, errors=_errors(doing, args[0]), doing=f"Calling {doing}")
        self.backward_calls = backward.calls
        self.read_non_leaf_grad = any(NON_LEAF_GRAD in str(w.message) for w in caught)


def _value(ex, name, *args):
    return Call(ex, name, *args).value


def _as_number(value, what):
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            fail(f"{what} returned {describe(value)}; it should be one number.", failure="not-scalar")
        return float(value.detach().reshape(-1)[0])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"{what} should return a number (x.grad.item()) or a one-element tensor, but it returned {describe(value)}.",
             failure="wrong-type")
    return float(value)


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-4)


def _check_poly(ex):
    first = Call(ex, "poly_grad", 2.0)
    backward_calls = first.backward_calls
    got = first.value
    if got is None:
        if first.read_non_leaf_grad:
            fail("`poly_grad(2.0)` returned None: p.grad is empty.",
                 "p is a result of operations, not a leaf. backward() leaves gradients only on the leaves you created "
                 "with requires_grad=True, and it returns nothing itself. The slope you want waits on x: x.grad.",
                 misconceptions=["backward-returns-gradients"], failure="grad-on-result")
        if first.backward_calls:
            fail("`poly_grad(2.0)` returned None: backward() returns nothing.",
                 "backward() stores the gradients on the leaves instead of returning them: read x.grad after it.",
                 misconceptions=["backward-returns-gradients"], failure="grad-on-result")
        fail("`poly_grad(2.0)` returned None: replace the placeholders with your code.",
             "Make x = torch.tensor(float(x_value), requires_grad=True), build p from x, call p.backward(), return x.grad.",
             failure="placeholder")
    value = _as_number(got, "`poly_grad(2.0)`")
    if _close(value, p(2.0)):
        fail(f"`poly_grad(2.0)` returned {value:g}, which is p(2) itself, not its slope.",
             "The function value is what the forward pass computes. The gradient dp/dx is what backward() leaves in x.grad.",
             misconceptions=["backward-returns-gradients"], failure="function-value")
    if _close(value, 18 * 2.0 - 8):
        fail(f"`poly_grad(2.0)` returned {value:g}, the second derivative (18x - 8) at 2. It should be the first.",
             failure="wrong-value")
    if not _close(value, dp(2.0)):
        fail(f"`poly_grad(2.0)` returned {value:g}, but dp/dx at 2 is 9*4 - 8*2 + 2 = {dp(2.0):g}.",
             "Check p term by term against 3x^3 - 4x^2 + 2x - 7; in Python, powers are written x ** 3.",
             failure="wrong-value")

    again = _as_number(_value(ex, "poly_grad", 2.0), "`poly_grad(2.0)` (second call)")
    if not _close(again, value):
        ratio = again / value if value else float("nan")
        fail(f"Called a second time at the same point, `poly_grad(2.0)` returned {again:g} instead of {value:g}"
             + (f" ({ratio:g} times as much)." if _close(ratio, round(ratio)) else "."),
             "backward() adds into .grad instead of replacing it. The tensor you differentiate lives on between calls "
             "(it is created outside the function), so the second call's gradient was added to the first one's.",
             "Create x inside poly_grad, so every call starts with a fresh leaf and an empty .grad.",
             misconceptions=["gradients-overwrite"], failure="missing-zero-grad")

    for point in (-1.5, 0.5, 3):
        call = Call(ex, "poly_grad", point)
        backward_calls += call.backward_calls
        got = _as_number(call.value, f"`poly_grad({point!r})`")
        if not _close(got, dp(point)):
            fail(f"`poly_grad({point!r})` returned {got:g}, but dp/dx there is {dp(point):g}.",
                 "At 2 the answer was right, so something depends on the point: build x from x_value, "
                 "not from a fixed number.", failure="wrong-value")

    if backward_calls == 0:
        fail("poly_grad gives the right numbers, but it never ran a backward pass: no backward() happened while it "
             "worked them out.",
             "The exercise is to let autograd find the slope: build p from a tensor that records and call p.backward(). "
             "A derivative typed in by hand is exactly the work autograd takes off you.",
             misconceptions=["backward-replaces-understanding"], failure="hand-derivative")


def _check_pair(ex):
    got = _value(ex, "pair_grads", 1.0, 2.0)
    if got is None:
        fail("`pair_grads(1.0, 2.0)` returned None: replace the placeholder with your code.",
             "Make a and b the way poly_grad makes x, build q, call q.backward() once, return (a.grad.item(), b.grad.item()).",
             failure="placeholder")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"`pair_grads(1.0, 2.0)` should return a pair (dq/da, dq/db), but it returned {describe(got)}.",
             failure="wrong-type")
    for label, item, var in (("dq/da", got[0], "a"), ("dq/db", got[1], "b")):
        if item is None:
            fail(f"`pair_grads(1.0, 2.0)` returned None for {label}: {var}.grad was empty.",
                 f"{var} did not record, so backward() had no reason to compute a gradient for it. "
                 f"Create {var} with requires_grad=True as well; one backward() then fills both .grad attributes.",
                 failure="pair-not-recording")
    da, db = (_as_number(v, "`pair_grads(1.0, 2.0)`") for v in got)
    want_a, want_b = dq(1.0, 2.0)
    if _close(da, want_b) and _close(db, want_a):
        fail(f"`pair_grads(1.0, 2.0)` returned ({da:g}, {db:g}): the right numbers in swapped order.",
             f"dq/da = 2ab = {want_a:g} and dq/db = a^2 + 3b^2 = {want_b:g}; return a's gradient first.",
             failure="swapped")
    if not (_close(da, want_a) and _close(db, want_b)):
        fail(f"`pair_grads(1.0, 2.0)` returned ({da:g}, {db:g}), but (dq/da, dq/db) at (1, 2) is ({want_a:g}, {want_b:g}).",
             "Check q against a^2 * b + b^3, written a ** 2 * b + b ** 3.", failure="wrong-value")
    again = [_as_number(v, "`pair_grads(1.0, 2.0)`") for v in _value(ex, "pair_grads", 1.0, 2.0)]
    if not (_close(again[0], da) and _close(again[1], db)):
        fail(f"Called a second time at (1, 2), `pair_grads` returned ({again[0]:g}, {again[1]:g}) instead of ({da:g}, {db:g}).",
             "The gradients added up across calls: backward() adds into .grad. Create a and b inside the function.",
             misconceptions=["gradients-overwrite"], failure="missing-zero-grad")
    for a, b in ((-1.5, 0.5), (2, -1)):
        got = _value(ex, "pair_grads", a, b)
        vals = [_as_number(v, f"`pair_grads({a!r}, {b!r})`") for v in got]
        want = dq(a, b)
        if not (_close(vals[0], want[0]) and _close(vals[1], want[1])):
            fail(f"`pair_grads({a!r}, {b!r})` returned ({vals[0]:g}, {vals[1]:g}), but the gradients there are "
                 f"({want[0]:g}, {want[1]:g}).", "Build a and b from the arguments, not from fixed numbers.",
                 failure="wrong-value")


def check(ex):
    _check_poly(ex)
    _check_pair(ex)
    a, b = dq(1, 2)
    return ("poly_grad and pair_grads match the hand derivatives everywhere, whole numbers included: "
            f"dp/dx at 2 is {dp(2):g}, and (dq/da, dq/db) at (1, 2) is ({a:g}, {b:g}).")

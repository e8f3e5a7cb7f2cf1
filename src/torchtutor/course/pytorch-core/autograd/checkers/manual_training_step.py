"""Checker for autograd/manual-training-step.

Two steps on fresh parameters, compared with a reference computed here in plain
floats; then 200 steps on y = 2x + 1. The learner's function runs through
ex.call_keeping_locals, which keeps its local variables at return, so a parameter that was rebound
(`w = w - lr * w.grad`) can be shown with its grad_fn. Known slips get their own
verdicts: update outside no_grad (in place: refused; out of place: a non-leaf),
missing zero_grad (with the numbers of both gradients), backward on a non-scalar,
update before backward, a sum instead of a mean, an update that climbs, and a loss
returned as a tensor that keeps its graph.
"""

import math

import torch
from torch.overrides import TorchFunctionMode

from torchtutor.checks import describe, fail, known

import _grad_errors  # this lesson's shared known errors (checkers/_grad_errors.py)

X = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]
Y = [2 * x + 1 for x in X]
W0, B0, LR = 0.3, -0.2, 0.1


def _grads(w, b, reduce="mean"):
    """Loss and gradients of the squared error of w * x + b, in plain floats."""
    n = len(X) if reduce == "mean" else 1
    errs = [w * x + b - y for x, y in zip(X, Y)]
    loss = sum(e * e for e in errs) / n
    gw = sum(2 * e * x for e, x in zip(errs, X)) / n
    gb = sum(2 * e for e in errs) / n
    return loss, gw, gb


def _close(a, b, tol=1e-4):
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _g(v):
    return f"{v + 0.0:.4g}"


def _errors(doing, n):
    return [
        known("update-outside-no-grad", "non-scalar-backward", what=doing, n=n),
        _grad_errors.zero_none_grad(doing, "after the update (the gradients exist by then)"),
        _grad_errors.tensor_zero_grad(doing),
        known("missing-backward", "detached-loss", "loss-accumulated-with-graph", what=doing),
    ]


class _DataReads(TorchFunctionMode):
    """Counts reads of a tensor's .data attribute while the block runs."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if getattr(getattr(func, "__self__", None), "__name__", "") == "data":
            self.count += 1
        return func(*args, **(kwargs or {}))


def _step(ex, w, b, x, y, lr, doing):
    """train_step's result and its local variables when it returned."""
    return ex.call_keeping_locals("train_step", w, b, x, y, lr, errors=_errors(doing, len(x)), doing=f"Calling {doing}")


def _explain_no_move(ex, w, b, local, start_grad_state):
    lw = local.get("w")
    if isinstance(lw, torch.Tensor) and lw is not w:
        if lw.grad_fn is not None:
            fail("After train_step, the caller's w has not moved. Inside your function, `w` became a new tensor with "
                 f"grad_fn=<{type(lw.grad_fn).__name__}> (is_leaf={lw.is_leaf}).",
                 "`w = w - lr * w.grad`, run with the recording on, does two wrong things. It builds a new tensor and "
                 "binds it to your local name, so the caller's w never changes. And autograd records the update: "
                 "the new w is the result of an operation, a non-leaf, whose .grad the next backward() would leave "
                 "empty while the graph grows step after step.",
                 "Change the tensor itself, in place, with the recording paused: "
                 "`with torch.no_grad(): w -= lr * w.grad` (and the same for b).",
                 misconceptions=["no-grad-is-only-speed"], failure="update-outside-no-grad")
        fail("After train_step, the caller's w has not moved: your function made a new tensor and bound it to its "
             "local name w.",
             f"The new w (value {_g(lw.item())}) lives only inside the function, and it no longer records "
             f"(requires_grad={lw.requires_grad}). The caller still holds the old tensor.",
             "Update in place inside no_grad, so the caller's tensor itself changes: `w -= lr * w.grad`.",
             failure="rebound-parameter")
    if w.grad is not None and w.grad.abs().item() == 0 and b.grad is not None and b.grad.abs().item() == 0:
        fail("After train_step, w and b have not moved, and their gradients are zero.",
             "The gradients were cleared before the update used them (or the update is missing). "
             "The order is: forward, backward, update inside no_grad, then clear.",
             failure="zeroed-before-update")
    fail("After train_step, w and b have not moved.",
         "backward() only computes gradients; it changes no parameter. Add the update, inside "
         "`with torch.no_grad():`: w -= lr * w.grad and b -= lr * b.grad.",
         misconceptions=["backward-updates-weights"], failure="missing-update")


def _check_leaf(w, name):
    if not w.is_leaf or w.grad_fn is not None:
        fail(f"After train_step, `{name}` is no longer a leaf: it has grad_fn=<{type(w.grad_fn).__name__}>.",
             "The update was recorded. Run it inside `with torch.no_grad():`.",
             misconceptions=["no-grad-is-only-speed"], failure="update-outside-no-grad")
    if not w.requires_grad:
        fail(f"After train_step, `{name}` no longer records (requires_grad=False).",
             "The next forward pass could not compute gradients for it. Update it in place inside no_grad; "
             "do not replace it or switch its flag off.", failure="requires-grad")


def _check_loss(result, want_loss, sum_loss, after_loss):
    if result is None:
        fail("train_step moved w and b correctly but returned None.",
             "Return the loss of this step as a Python float: return loss.item().", failure="placeholder")
    if isinstance(result, torch.Tensor):
        if result.requires_grad:
            fail(f"train_step returned the loss as a tensor that still records ({describe(result)}).",
                 "A recording tensor keeps its whole graph alive; a training loop that collects these losses keeps "
                 "every step's graph in memory. Return loss.item(), a plain float (or loss.detach()).",
                 failure="loss-kept-graph")
        if result.numel() != 1:
            fail(f"train_step returned {describe(result)}; it should return the loss, one number.",
                 failure="not-scalar")
        result = float(result.reshape(-1)[0])
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        fail(f"train_step should return the loss as a float, but it returned {describe(result)}.", failure="wrong-type")
    if _close(result, want_loss):
        return
    if _close(result, sum_loss):
        fail(f"train_step returned {_g(result)}, the sum of the squared errors; the mean is {_g(want_loss)}.",
             "Use .mean(), as the lesson's step does.", failure="sum-not-mean")
    if _close(result, after_loss):
        fail(f"train_step returned {_g(result)}, the loss after the update; this step's loss was {_g(want_loss)}.",
             "Return the loss you called backward() on, computed before the update.", failure="wrong-value")
    fail(f"train_step returned {_g(result)}, but this step's loss (mean squared error before the update) is "
         f"{_g(want_loss)}.", failure="wrong-value")


def check(ex):
    x = torch.tensor(X)
    y = torch.tensor(Y)
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)

    loss1, gw1, gb1 = _grads(W0, B0)
    w1, b1 = W0 - LR * gw1, B0 - LR * gb1
    result, local = _step(ex, w, b, x, y, LR, f"`train_step(w, b, x, y, lr={LR})` on fresh parameters")
    if result is None and _close(w.item(), W0) and _close(b.item(), B0) and w.grad is None and "loss" not in local:
        fail("`train_step` returned None and changed nothing: replace `return None` with your code.",
             "Four moves: forward and loss; loss.backward(); the update inside `with torch.no_grad():`; "
             "clear the gradients. Then return loss.item().", failure="placeholder")
    if _close(w.item(), W0) and _close(b.item(), B0):
        _explain_no_move(ex, w, b, local, None)
    _check_leaf(w, "w")
    _check_leaf(b, "b")
    got_w, got_b = w.item(), b.item()
    if not (_close(got_w, w1) and _close(got_b, b1)):
        _, sw, sb = _grads(W0, B0, reduce="sum")
        if _close(got_w, W0 + LR * gw1) and _close(got_b, B0 + LR * gb1):
            fail(f"After one step w = {_g(got_w)} and b = {_g(got_b)}: they moved uphill. They should be "
                 f"{_g(w1)} and {_g(b1)}.",
                 "The gradient points to where the loss grows. Gradient descent steps against it: "
                 "w -= lr * w.grad, not +=.", failure="uphill")
        if _close(got_w, W0 - LR * sw) and _close(got_b, B0 - LR * sb):
            fail(f"After one step w = {_g(got_w)} and b = {_g(got_b)}; they should be {_g(w1)} and {_g(b1)}. "
                 f"Your step is {len(X)} times too large.",
                 f"You summed the squared errors; the loss is their mean. With {len(X)} examples the sum's gradient "
                 f"is {len(X)} times the mean's. Use ((y_hat - y) ** 2).mean().", failure="sum-not-mean")
        if _close(got_w, W0 - gw1) and _close(got_b, B0 - gb1):
            fail(f"After one step w = {_g(got_w)} and b = {_g(got_b)}; they should be {_g(w1)} and {_g(b1)}.",
                 "The step ignores lr: multiply the gradient by the learning rate, w -= lr * w.grad.",
                 failure="missing-lr")
        if _close(got_w, w1) != _close(got_b, b1):
            stuck = "b" if _close(got_w, w1) else "w"
            fail(f"After one step, {stuck} = {_g(b.item() if stuck == 'b' else got_w)} has not moved correctly "
                 f"(it should be {_g(b1 if stuck == 'b' else w1)}); the other parameter is right.",
                 f"Update both parameters: {stuck} -= lr * {stuck}.grad, inside the same no_grad block.",
                 failure="wrong-values")
        fail(f"After one step w = {_g(got_w)} and b = {_g(got_b)}, but one step of gradient descent from "
             f"w = {W0}, b = {B0} with lr = {LR} gives w = {_g(w1)} and b = {_g(b1)}.",
             "Check the forward pass (w * x + b), the loss (mean of the squared errors) and the update "
             "(w -= lr * w.grad).", failure="wrong-values")
    _check_loss(result, loss1, _grads(W0, B0, reduce="sum")[0], _grads(w1, b1)[0])

    loss2, gw2, gb2 = _grads(w1, b1)
    w2, b2 = w1 - LR * gw2, b1 - LR * gb2
    _step(ex, w, b, x, y, LR, f"`train_step(w, b, x, y, lr={LR})` a second time")
    _check_leaf(w, "w")
    _check_leaf(b, "b")
    got_w, got_b = w.item(), b.item()
    if not (_close(got_w, w2) and _close(got_b, b2)):
        if _close(got_w, w1 - LR * (gw1 + gw2)) and _close(got_b, b1 - LR * (gb1 + gb2)):
            fail(f"The second step went wrong: w = {_g(got_w)} where it should be {_g(w2)}. The gradients from step "
                 "one were never cleared.",
                 f"Step two's own gradient for w is {_g(gw2)}. But w.grad still held step one's {_g(gw1)}, and "
                 f"backward() added to it: your update used {_g(gw1)} + {_g(gw2)} = {_g(gw1 + gw2)}. "
                 f"The same happened to b ({_g(gb1)} + {_g(gb2)}).",
                 "Every further step would add one more old gradient: by step n the update uses the sum of n "
                 "gradients, the steps grow, and training wanders or diverges. That is why clearing is not "
                 "ceremony: after the update, w.grad.zero_() and b.grad.zero_() (or set them to None).",
                 misconceptions=["gradients-overwrite", "zero-grad-is-boilerplate"], failure="missing-zero-grad")
        fail(f"The first step was right, but after the second w = {_g(got_w)} and b = {_g(got_b)}; "
             f"they should be {_g(w2)} and {_g(b2)}.",
             "Each call must do the same four moves on the tensors it is given.", failure="wrong-values")

    xs = torch.linspace(-1, 1, 20)
    ys = 2 * xs + 1
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    fn = ex.function("train_step")
    with _DataReads() as data:
        first = fn(w, b, xs, ys, 0.1)
        last = first
        for _ in range(199):
            last = fn(w, b, xs, ys, 0.1)
    first, last = float(first), float(last)
    if not (abs(w.item() - 2) < 0.05 and abs(b.item() - 1) < 0.05):
        fail(f"After 200 calls on points of y = 2x + 1, w = {_g(w.item())} and b = {_g(b.item())}; they should be "
             "close to 2 and 1.", failure="does-not-converge")
    if data.count:
        ex.notes.append("Your update works through .data. torch.no_grad() is the modern spelling: .data also hides "
                        "the change from autograd's safety checks, so a mistake there goes unreported.")
    return (f"Forward, backward, update in no_grad, clear: 200 calls took w from 0 to {w.item():.3f} and b from 0 to "
            f"{b.item():.3f}, and the loss from {first:.3f} to {last:.2g}. Repeat it in a loop and you have "
            "the training loop of the last lesson of this module.")

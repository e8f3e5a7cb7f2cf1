"""Checker for training-loop/optimizer-step: optimizer.step() against an update by hand."""

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail

from torchtutor.diagnose.loop_probe import LoopProbe

import _loop_verdicts as lv  # this lesson's words for the loop probe (checkers/_loop_verdicts.py)

LR = 0.1   # not the file's 0.05: a hard-coded learning rate shows up


def _data():
    X = torch.tensor([[-1.0], [0.0], [0.5], [2.0], [3.0]])
    return X, 2 * X + 1


def _expected(X, y, lr):
    """Start, gradient and one SGD step of the checker's own copy of the model."""
    model = lv.line_model(0.5, 0.0)
    nn.MSELoss()(model(X), y).backward()
    start = [p.detach().clone() for p in model.parameters()]
    grads = [p.grad.detach().clone() for p in model.parameters()]
    sum_grads = [g * X.shape[0] for g in grads]      # what reduction='sum' would give
    return start, grads, sum_grads


def _params(model):
    return [p.detach().clone() for p in model.parameters()]


def _same(a, b):
    return all(torch.allclose(x, y, atol=1e-6, rtol=1e-5) for x, y in zip(a, b))


def _words(params):
    w, b = (float(t.reshape(-1)[0]) for t in params)
    return f"w = {w:.4f}, b = {b:.4f}"


def _diagnose_update(fn, after, start, grads, sum_grads, lr, probe):
    """Name what went wrong when the weights after `fn` are not the expected step."""
    want = [s - lr * g for s, g in zip(start, grads)]
    if _same(after, want):
        return
    got = f"After `{fn}(...)` the model holds {_words(after)}; one step of p - lr * p.grad gives {_words(want)}."
    if _same(after, start):
        if probe.passes == 0 and not probe.steps:
            fail(f"`{fn}(...)` left the model unchanged: it never computed a loss or called backward().", got,
                 "Compute loss = nn.MSELoss()(model(X), y), call loss.backward(), then update.",
                 failure="no-training")
        if probe.passes == 0:
            fail(f"`{fn}(...)` called optimizer.step() without loss.backward(): step() found no gradients, "
                 "so nothing changed.", got,
                 "step() does not compute gradients; it only reads .grad. Call loss.backward() first.",
                 failure="missing-backward", misconceptions=["step-computes-gradients"])
        if probe.steps and all(g is None for g in probe.steps[0].used.values()):
            fail(f"`{fn}(...)` called optimizer.step() before loss.backward(): at that moment there was no gradient "
                 "to use, so the weights did not move.", got,
                 "Order matters: loss.backward() computes the gradients, then optimizer.step() uses them.",
                 failure="step-before-backward", misconceptions=["step-computes-gradients"])
        if fn == "optimizer_step" and not probe.steps:
            fail("`optimizer_step(...)` called loss.backward() but never optimizer.step(): the gradients were "
                 "computed and then left unused.", got,
                 "backward() only fills .grad. The weights change when the optimizer uses them: optimizer.step().",
                 failure="missing-optimizer-step", misconceptions=["backward-updates-weights"])
        if fn == "manual_step":
            fail("`manual_step(...)` computed the gradients but the model's weights did not change.", got,
                 "If you wrote `p = p - lr * p.grad`, that makes a new tensor and points the loop variable at it; "
                 "the model still holds the old one. Update in place, inside torch.no_grad(): p -= lr * p.grad.",
                 failure="not-in-place")
    if _same(after, [s + lr * g for s, g in zip(start, grads)]):
        fail(f"`{fn}(...)` moved the weights *up* the gradient: p + lr * p.grad.", got,
             "The gradient points toward higher loss. Gradient descent steps against it: p -= lr * p.grad.",
             failure="gradient-ascent")
    if _same(after, [s - g for s, g in zip(start, grads)]):
        fail(f"`{fn}(...)` subtracted the whole gradient, without the learning rate.", got,
             "The step is the gradient scaled by lr: p -= lr * p.grad.", failure="forgot-lr")
    if _same(after, [s - lr * g for s, g in zip(start, sum_grads)]):
        fail(f"`{fn}(...)` used a loss that adds the squared errors instead of averaging them, so every gradient "
             f"came out {float(sum_grads[0].reshape(-1)[0] / grads[0].reshape(-1)[0]):.0f} times too large.", got,
             "Use the mean squared error, nn.MSELoss() (reduction='mean'), as in the lesson.",
             failure="sum-not-mean", misconceptions=["reduction-is-cosmetic"])
    if _same(after, [s - 2 * lr * g for s, g in zip(start, grads)]):
        fail(f"`{fn}(...)` took two steps instead of one (or applied the update twice).", got, failure="two-steps")
    implied = [((s - a) / g) for s, a, g in zip(start, after, grads) if float(g.abs().min()) > 1e-6]
    if implied and all(torch.allclose(i, implied[0].reshape(-1)[0].expand_as(i), rtol=1e-4) for i in implied):
        other = float(implied[0].reshape(-1)[0])
        if other > 0 and abs(other - lr) > 1e-6 and abs(other - 1.0) > 1e-6 and abs(other - 2 * lr) > 1e-6:
            fail(f"`{fn}(...)` stepped with a learning rate of {other:.4g}, but it was called with lr={lr}.", got,
                 "Use the `lr` argument rather than a number typed into the function: the checker calls it with "
                 "its own learning rate.", failure="hard-coded-lr")
    fail(f"`{fn}(...)` did not make the expected step.", got,
         "One step: loss = nn.MSELoss()(model(X), y); loss.backward(); then p -= lr * p.grad for every parameter.",
         failure="wrong-values")


def check(ex):
    for name in ("manual_step", "optimizer_step"):
        fn = ex.get(name, placeholder_ok=True)
        if not callable(fn):
            fail(f"`{name}` should be a function, but it is {describe(fn)}.", failure="not-callable")
    X, y = _data()
    start, grads, sum_grads = _expected(X, y, LR)

    # Part 1: by hand
    model = lv.line_model(0.5, 0.0)
    probe = LoopProbe(model)
    with probe:
        lv.call(ex, "manual_step", model, X, y, LR, probe=probe)
    if probe.steps:
        fail("`manual_step(...)` used an optimizer. Part 1 is the update by hand: "
             "inside torch.no_grad(), p -= lr * p.grad for each parameter.", failure="used-optimizer")
    if probe.passes == 0 and _same(_params(model), start):
        fail("`manual_step` is still the starter: it leaves the model unchanged.",
                 "Compute the loss of model(X) against y, call backward(), then update each parameter in place "
                 "inside torch.no_grad().", failure="placeholder")
    _diagnose_update("manual_step", _params(model), start, grads, sum_grads, LR, probe)

    # Part 2: with the optimizer
    model = lv.line_model(0.5, 0.0)
    probe = LoopProbe(model)
    with probe:
        optimizer = lv.call(ex, "optimizer_step", model, X, y, LR, probe=probe)
    if optimizer is None and not probe.steps and probe.passes == 0:
        fail("`optimizer_step` is still the starter: it returns None and changes nothing.",
             "Build optimizer = torch.optim.SGD(model.parameters(), lr=lr), compute the loss, call loss.backward(), "
             "then optimizer.step(), and return the optimizer.", failure="placeholder")
    if probe.steps and probe.steps[0].missing:
        fail(f"The optimizer does not hold every parameter: {', '.join(probe.steps[0].missing)} is missing, so it "
             "never changes.", "Build the optimizer from model.parameters(), all of them.",
             failure="optimizer-missing-params")
    if probe.foreign_steps and not probe.steps:
        fail("An optimizer stepped inside `optimizer_step(...)`, but over none of the parameters of the model "
             "it was given.", "Use the `model` argument: torch.optim.SGD(model.parameters(), lr=lr).",
             failure="other-model")
    _diagnose_update("optimizer_step", _params(model), start, grads, sum_grads, LR, probe)
    if optimizer is None:
        fail("`optimizer_step(...)` made the right step but returned None. Return the optimizer you built.",
             failure="missing-return")
    if not isinstance(optimizer, torch.optim.SGD):
        fail(f"`optimizer_step(...)` returned {describe(optimizer)}; it should return the torch.optim.SGD "
             "optimizer it built.", failure="wrong-optimizer")
    lrs = {group["lr"] for group in optimizer.param_groups}
    if lrs != {LR}:
        fail(f"The optimizer's learning rate is {', '.join(map(str, sorted(lrs)))}, but optimizer_step was called "
             f"with lr={LR}.", "Pass the argument on: torch.optim.SGD(model.parameters(), lr=lr).",
             failure="hard-coded-lr")
    if not probe.steps:
        fail("The weights moved, but optimizer.step() never ran inside `optimizer_step(...)`.",
             "Part 2 is the optimizer's update: call optimizer.step() instead of updating by hand.",
             failure="manual-update")
    want = [s - LR * g for s, g in zip(start, grads)]
    return (f"Same step both ways: {_words(want)} by hand and with optimizer.step(). For SGD, step() is exactly "
            "p -= lr * p.grad for every parameter it holds, done under no_grad for you.")

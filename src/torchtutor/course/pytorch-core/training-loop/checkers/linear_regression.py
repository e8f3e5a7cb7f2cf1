"""Checker for training-loop/linear-regression: the complete loop, from scratch, on y = 2x + 1."""

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail

import _loop_verdicts as lv  # this lesson's words for the loop probe (checkers/_loop_verdicts.py)

CHECK_EPOCHS = 40
LR = 0.1


def _check_build(ex):
    built = lv.call(ex, "build")
    if built is None:
        fail("`build` still returns None.",
             "Return a fresh triple: model = nn.Linear(1, 1), loss_fn = nn.MSELoss(), "
             "optimizer = torch.optim.SGD(model.parameters(), lr=...); return model, loss_fn, optimizer.",
             failure="placeholder")
    if not isinstance(built, tuple) or len(built) != 3:
        fail(f"`build()` should return three things, (model, loss_fn, optimizer), but it returned {describe(built)}.",
             failure="wrong-type")
    model, loss_fn, optimizer = built
    if isinstance(loss_fn, torch.optim.Optimizer) or isinstance(optimizer, nn.modules.loss._Loss):
        fail("`build()` returns its three things in another order. The checker unpacks "
             "model, loss_fn, optimizer = build(): return them in that order.", failure="wrong-order")
    if model is nn.Linear:
        fail("`build()` returned the class nn.Linear as the model; create a layer: nn.Linear(1, 1).",
             failure="class-not-instance")
    if not isinstance(model, nn.Linear) or (model.in_features, model.out_features) != (1, 1):
        fail(f"The model from build() should be nn.Linear(1, 1), one input and one output, but it is "
             f"{describe(model)}.", failure="wrong-model")
    if loss_fn is nn.MSELoss:
        fail("The loss_fn from build() is the class nn.MSELoss; create the object: nn.MSELoss().",
             failure="class-not-instance")
    if not isinstance(loss_fn, nn.MSELoss):
        fail(f"The loss_fn from build() should be an nn.MSELoss object, but it is {describe(loss_fn)}.",
             failure="wrong-loss")
    if not isinstance(optimizer, torch.optim.Optimizer):
        fail(f"The optimizer from build() should be a torch.optim optimizer, but it is {describe(optimizer)}.",
             "torch.optim.SGD(model.parameters(), lr=0.1)", failure="wrong-optimizer")
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    missing = [name for name, p in model.named_parameters() if id(p) not in held]
    if missing:
        fail(f"The optimizer from build() does not hold {', '.join(missing)} of the model it returned, so training "
             f"never changes {'it' if len(missing) == 1 else 'them'}.",
             "Did you create the optimizer for another model, before `model = ...` made a new one? Build it from "
             "the model you return: torch.optim.SGD(model.parameters(), lr=...).",
             failure="optimizer-missing-params")
    if not isinstance(optimizer, torch.optim.SGD):
        fail(f"The optimizer from build() is {type(optimizer).__name__}; this exercise trains with torch.optim.SGD "
             "(the swap to Adam is the next exercise).", failure="wrong-optimizer")
    return model, loss_fn, optimizer


def check(ex):
    lv.check_train(ex, epochs=CHECK_EPOCHS, lr=LR)
    model, loss_fn, optimizer = _check_build(ex)
    epochs = ex.get("EPOCHS")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs <= 0:
        fail(f"`EPOCHS` should be a positive whole number, but it is {describe(epochs)}.", failure="wrong-type")
    if epochs > 5000:
        fail(f"EPOCHS = {epochs} is far more than this tiny problem needs; keep it under 5000 so the check stays "
             "quick (with lr=0.1, 200 is plenty).", failure="too-many-steps")
    X, y = ex.get("X"), ex.get("y")
    losses, probe = lv.run_loop(ex, "train", model, optimizer, loss_fn, X, y, epochs)
    lv.explain_loop(ex, probe)
    values = lv.expect_loss_list(losses, epochs)
    lv.expect_fit(model, values, what="The model from build()")
    return (f"Your loop clears, computes and uses the gradients in order at every step, and your model learned "
            f"w = {model.weight.item():.3f}, b = {model.bias.item():.3f} (the data came from 2 and 1). "
            "Same heartbeat as the NumPy loop, new instruments.")

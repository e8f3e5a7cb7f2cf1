"""Checker for training-loop/two-layer-net: design and train a small network on a parabola."""

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail

import _loop_verdicts as lv  # this lesson's words for the loop probe (checkers/_loop_verdicts.py)

TARGET = 0.05
MAX_STEPS = 2000


def _line_fit_mse(X, out):
    """How far `out` is from the best straight line through it (0 when the model is affine)."""
    A = torch.cat([X, torch.ones_like(X)], dim=1).double()
    solution = torch.linalg.lstsq(A, out.double()).solution
    return float(((A @ solution - out.double()) ** 2).mean())


def check(ex):
    X = torch.linspace(-2, 2, 50).reshape(-1, 1)      # the same parabola, sampled at other points
    y = X ** 2

    torch.manual_seed(0)
    model = lv.call(ex, "make_model")
    if model is None:
        fail("`make_model` still returns None.",
             "Return a fresh nn.Module: for example nn.Sequential of a Linear(1, hidden), an activation, and a "
             "Linear(hidden, 1).", failure="placeholder")
    if isinstance(model, type) and issubclass(model, nn.Module):
        fail(f"`make_model()` returned the class {model.__name__}, not a model. Create one: return {model.__name__}(...).",
             failure="class-not-instance")
    if not isinstance(model, nn.Module):
        fail(f"`make_model()` should return an nn.Module, but it returned {describe(model)}.", failure="not-a-module")
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if n_params == 0:
        fail("The model from make_model() has no trainable parameters, so there is nothing to train.",
             "Assign the layers to self in __init__ (or put them in nn.Sequential), and remember super().__init__().",
             failure="no-parameters")
    with torch.no_grad():
        out = ex.call(model, X, doing="Calling your model on a batch of shape [50, 1]")
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (50, 1):
        fail(f"On a batch of shape [50, 1] your model returns {describe(out)}; it should return shape [50, 1].",
             "One prediction per sample, in a column like the targets. A prediction of shape [50] against targets "
             "of shape [50, 1] would broadcast to [50, 50] inside the loss.", failure="wrong-shape")

    losses, probe = lv.run_loop(ex, "train", model, X, y, max_steps=MAX_STEPS)
    lv.explain_loop(ex, probe, needs_optimizer=False)
    values = lv.expect_loss_list(losses, None)
    with torch.no_grad():
        out = model(X)
        mse = float(((out - y) ** 2).mean())
    if mse < TARGET:
        return (f"Trained in {len(values)} epochs to an MSE of {mse:.4f} (the best straight line is stuck near 1.5 on "
                f"this data). {n_params} parameters, one hidden layer with a nonlinearity, and the same heartbeat as "
                "the one-neuron loop.")
    # Structure first: is a fresh model from make_model() a straight line, over a range wide enough that every
    # ReLU kink of a random initialisation falls inside it?
    torch.manual_seed(1)
    fresh = lv.call(ex, "make_model")
    wide = torch.linspace(-50, 50, 201).reshape(-1, 1)
    with torch.no_grad():
        fresh_out = fresh(wide)
    if _line_fit_mse(wide, fresh_out) < 1e-6 * max(1.0, float((fresh_out.double() ** 2).mean())):
        fail(f"Your model can only draw straight lines: its output is exactly linear in x, so the best it reached "
             f"is an MSE of {mse:.3f}.",
             "Linear layers stacked without an activation collapse into one linear layer: W2 @ (W1 @ x + b1) + b2 is "
             "still a line. Put a nonlinearity (nn.ReLU(), nn.Tanh(), ...) between the layers.",
             failure="linear-collapse", misconceptions=["stacking-linears-adds-power"])
    if not all(v == v and abs(v) != float("inf") for v in values) or values[-1] > values[0]:
        fail(f"Training diverged: the loss went from {values[0]:.3g} to {values[-1]:.3g}.",
             "The learning rate is too large for this model. Try ten times smaller.",
             failure="diverged", misconceptions=["bigger-lr-is-faster"])
    if _line_fit_mse(X, out) < 1e-6:
        fail(f"After training, your model's predictions lie on a straight line (MSE {mse:.3f}), although it could "
             "bend: its hidden units ended up all on or all off over the data.",
             "That usually means a learning rate so large that the first steps threw the hidden units into a dead "
             "state. Try a smaller learning rate, or a different activation such as nn.Tanh().",
             failure="dead-units")
    fail(f"After training, your model's MSE on the checker's copy of the data is {mse:.3f}; the target is below "
         f"{TARGET}. The loss went from {values[0]:.3g} to {values[-1]:.3g} in {len(values)} epochs.",
         "If it was still falling: more epochs or a larger learning rate (Adam with lr=0.01 for a few hundred "
         "epochs works well). If it stalled: a wider hidden layer (16 to 64 units) helps.",
         failure="not-converged")

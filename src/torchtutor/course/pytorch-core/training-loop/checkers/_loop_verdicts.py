"""The training-loop lesson's verdicts for what the loop probe saw (a helper, not a checker: no check()).

The evidence and the decision come from :mod:`torchtutor.diagnose.loop_probe`, the probe any
checker can use; this file holds the lesson's words for each of its ids, the line data and
model the lesson trains, and the checks of a returned loss list and of a fitted line. Checkers
import it as ``import _loop_verdicts as lv`` (the harness puts the checker folder on the
import path while it loads a checker).
"""

from __future__ import annotations

import math
import traceback
from typing import Any, Callable, NamedTuple, Sequence

import torch
import torch.nn as nn

from torchtutor.checks import WrongError, describe, fail
from torchtutor.diagnose.loop_probe import LoopMistake, LoopProbe, TooManySteps, loop_mistake

ZERO_GRAD_FIX = ("Clear, compute, use: call optimizer.zero_grad() once per iteration, before loss.backward() "
                 "(or after optimizer.step()), never between the two.")


def _in_optimizer(exc: BaseException) -> bool:
    return any("torch/optim/" in f.filename.replace("\\", "/") for f in traceback.extract_tb(exc.__traceback__))


#: The exceptions of a training function this lesson words itself (the catalogue knows the others).
OPTIMIZER_GIVEN_MODEL = WrongError(
    TypeError, r"object is not iterable|can only optimize Tensors, but one of the params is torch\.nn",
    "An optimizer was given the model itself: {error}.", when=_in_optimizer, failure="optimizer-given-model",
    details=["Optimizers take the tensors to update: pass model.parameters(), not model."])


#: The lesson's misconceptions behind the crashes the catalogue translates.
CATALOGUE_CRASHES = [
    WrongError.catalogue(
        "non-scalar-backward", "loss.backward() got a tensor of shape {shape}: backward() needs one number, so "
        "reduce with .mean() or .sum().", misconceptions=["backward-on-any-tensor"],
        details=["A loss made with reduction='none' (or a squared error never averaged) holds one loss per sample. "
                 "The gradient needs a single quantity to differentiate, the one number that says how wrong the "
                 "model is: reduce the per-sample losses first, e.g. loss.mean().backward()."]),
    WrongError.catalogue(
        "update-outside-no-grad", "An in-place update of a parameter ran with gradient recording on.",
        misconceptions=["no-grad-is-only-speed"],
        details=["`p -= lr * p.grad` on a parameter must not be recorded as part of the graph: wrap the update in "
                 "`with torch.no_grad():` (optimizer.step() does exactly that for you)."]),
]


def graph_freed(probe: LoopProbe) -> WrongError:
    """The catalogue's graph-reuse crash, when the probe saw fewer forward passes than backward passes."""
    return WrongError.catalogue(
        "loss-accumulated-with-graph",
        "backward() walked a graph that an earlier backward() had already freed: the model's forward pass ran "
        "fewer times than backward().",
        when=lambda exc: probe.graph_reused(), failure="graph-freed", misconceptions=["graph-persists"],
        details=["Each forward pass records a fresh graph and loss.backward() frees it. If y_hat = model(X) (or the "
                 "loss) is computed once, before the loop, the second iteration has no graph left to walk.",
                 "Compute the prediction and the loss inside the loop, every iteration."])


def too_many_steps(fn: str, max_steps: int) -> WrongError:
    return WrongError(TooManySteps, "", f"`{fn}(...)` ran more than {max_steps} optimizer steps.",
                      failure="too-many-steps",
                      details=["The exercise data is tiny: a few hundred full-batch steps are plenty. "
                               "Check the loop's range()."])


# ------------------------------------------------------------------ data and models

def line_data(n: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """Noise-free points on y = 2x + 1, as [n, 1] columns."""
    X = torch.linspace(-1.0, 1.0, n).reshape(-1, 1)
    return X, 2 * X + 1


def line_model(w: float = 0.0, b: float = 0.0) -> nn.Linear:
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(w)
        model.bias.fill_(b)
    return model


def reference_fit(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: Callable, X: torch.Tensor,
                  y: torch.Tensor, epochs: int) -> list[float]:
    """The loop as the lesson writes it: clear, forward, loss, backward, step."""
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


# ------------------------------------------------------------------ running learner code

def call(ex, name: str, *args: Any, probe: LoopProbe | None = None, **kwargs: Any) -> Any:
    """Call the learner's function ``name``, under ``probe`` when one is given."""
    errors = [OPTIMIZER_GIVEN_MODEL, *CATALOGUE_CRASHES]
    if probe is not None:
        errors += [graph_freed(probe), too_many_steps(name, probe.max_steps)]
    return ex.call(name, *args, errors=errors, context=probe.crash_context if probe else None, **kwargs)


def run_loop(ex, name: str, model: nn.Module, *args: Any, max_steps: int = 20_000, **kwargs: Any) -> tuple[Any, LoopProbe]:
    """Run the learner's training function ``name`` on ``model`` under a probe."""
    probe = LoopProbe(model, max_steps=max_steps)
    with probe:
        result = call(ex, name, model, *args, probe=probe, **kwargs)
    return result, probe


# ------------------------------------------------------------------ the words for each mistake

def _constant_output(probe: LoopProbe) -> float | None:
    """The one value the model returns for every row of the first batch it saw, if it is constant."""
    X = probe.inputs[0] if probe.inputs else None
    if not isinstance(X, torch.Tensor) or X.shape[0] < 2:
        return None
    with torch.no_grad():
        out = probe.model(X)
    if not isinstance(out, torch.Tensor) or out.numel() == 0 or float(out.max() - out.min()) != 0.0:
        return None
    return float(out.reshape(-1)[0])


def _gradient_words(fn: str, probe: LoopProbe, m: LoopMistake) -> None:
    e = m.evidence
    if m.id == "zero-gradient":
        constant = _constant_output(probe)
        seen = (f"Your model returns {constant:.4g} for every input it was given, whatever its weights: "
                if constant is not None else "")
        fail(f"Every gradient was exactly zero right after loss.backward() (step {m.step}): the loss does not "
             "change when the weights change, so training cannot move them.",
             "Nothing cleared the gradients: backward() itself computed zeros. " + seen +
             "the output cannot depend on the weights. nn.Softmax(dim=1) over a single output unit does that: a "
             "softmax over one number is always 1.0. A regression model's last layer outputs the raw number.",
             failure="zero-gradient")
    if m.id == "step-before-backward" and e["variant"] == "cleared":
        fail(f"At step {m.step} the gradients were cleared after loss.backward() and before optimizer.step(): "
             "backward() had computed them, and step() found nothing to use, so the weights never moved.",
             "zero_grad() between backward() and step() throws the fresh gradients away just before they are "
             "used. " + ZERO_GRAD_FIX, failure="step-before-backward", misconceptions=["zero-grad-anywhere"])
    if m.id == "step-before-backward":
        fail(f"At step {m.step}, optimizer.step() ran before that iteration's loss.backward(): it found no gradient "
             "to use, so the weights did not move.",
             "Order matters: the loss's gradients must exist before step() can use them. Each iteration: "
             "zero_grad(), forward, loss, backward(), then step().",
             failure="step-before-backward", misconceptions=["step-computes-gradients"])
    if m.id == "missing-zero-grad":
        if e["zero_grad_calls"] == 0:
            extra = (" zero_grad() never ran. (Writing `optimizer.zero_grad` without parentheses only names the "
                     "method; it does not call it.)")
        else:
            extra = (f" zero_grad() ran {e['zero_grad_calls']} time(s) in {e['steps']} steps: it has to run in every "
                     "iteration, not once.")
        fail(f"Gradients are never cleared between steps: they pile up. Already at step {m.step} (counting from 0), "
             f"optimizer.step() used the sum of the gradients of {e['passes']} backward passes, not the last one "
             "alone.",
             f"Evidence: at step {e['worst_step']} the gradient used had size {e['worst_used']:.3g}, while that step's "
             f"own loss asked for {e['worst_fresh']:.3g}. .grad adds every backward() to what is already there, so "
             "the model keeps being pushed by old gradients and the loss never settles." + extra,
             ZERO_GRAD_FIX, failure="missing-zero-grad", misconceptions=["zero-grad-is-boilerplate"])
    if m.id == "backward-twice":
        fail(f"loss.backward() ran {e['passes']} times before step {m.step}: the gradients of those passes were "
             "added together.", "One iteration is one forward pass, one loss, one backward() and one step().",
             failure="backward-twice")
    fail(f"At step {m.step} the gradient optimizer.step() used (size {e['used']:.3g}) is not the gradient of that "
         f"iteration's loss (size {e['fresh']:.3g}).",
         "Each iteration should clear the gradients, compute the loss of the current weights, call backward() once "
         "and then step().", failure="stale-gradient")


class Words(NamedTuple):
    """The lesson's words for one finding: summary and why, with ``{fn}`` and the evidence filled in."""

    summary: str
    why: str
    failure: str
    misconceptions: Sequence[str] = ()


#: The lesson's words for the loop probe's plain findings, by the finding's id (its failure tag).
WORDS = {w.failure: w for w in [
    Words("Inside `{fn}(...)` the loss compared tensors of different shapes: {warning}.",
          "A prediction of shape [N, 1] against a target of shape [N] broadcasts to [N, N]: every prediction is "
          "compared with every target and the loss means nothing. Make the shapes match, e.g. y_hat.reshape(-1, 1) "
          "or a model that returns [N, 1].",
          failure="loss-broadcast"),
    Words("`{fn}(...)` never called loss.backward() or optimizer.step(): the model was not trained at all.",
          "One iteration is five moves: optimizer.zero_grad(), y_hat = model(X), loss = loss_fn(y_hat, y), "
          "loss.backward(), optimizer.step().",
          failure="no-training"),
    Words("`{fn}(...)` computed the prediction with model.forward(X) instead of model(X).",
          "Calling the model, model(X), runs nn.Module's __call__: the hooks, then forward(). Calling forward() "
          "directly skips the hooks, which PyTorch tools (and this checker) rely on. Always write model(X).",
          failure="forward-called-directly", misconceptions=["forward-equals-call"]),
    Words("An optimizer stepped inside `{fn}(...)`, but it holds none of the model's parameters.",
          "`{fn}` has to train the model and optimizer it is given. Did it build a new model, or an optimizer over "
          "another model's parameters?",
          failure="other-model"),
    Words("`{fn}(...)` called loss.backward() {backward_calls} times but never optimizer.step(): the weights never "
          "moved, so the loss never moved either.",
          "backward() only computes the gradients and stores them in .grad. Nothing changes until the optimizer "
          "uses them: call optimizer.step() after loss.backward() in every iteration.",
          failure="missing-optimizer-step", misconceptions=["backward-updates-weights"]),
    Words("optimizer.step() ran {steps} times inside `{fn}(...)`, but loss.backward() never ran: every step found "
          "the gradients empty, so nothing changed.",
          "step() does not compute gradients, it only reads .grad. Compute them first with loss.backward() in the "
          "same iteration.",
          failure="missing-backward", misconceptions=["step-computes-gradients"]),
    Words("The optimizer does not hold every parameter of the model: {missing} never gets updated.",
          "Build the optimizer from model.parameters(), which lists every parameter of every layer.",
          failure="optimizer-missing-params"),
]}


def explain_loop(ex, probe: LoopProbe, *, fn: str = "train", needs_optimizer: bool = True) -> None:
    """Fail with the first loop mistake the probe's evidence shows; return if there is none."""
    m = loop_mistake(probe, needs_optimizer=needs_optimizer)
    if m is None:
        return
    if m.id in WORDS:
        words = WORDS[m.id]
        facts = {"fn": fn, **{k: ", ".join(v) if isinstance(v, list) else v for k, v in m.evidence.items()}}
        fail(words.summary.format(**facts), words.why.format(**facts), failure=words.failure,
             misconceptions=words.misconceptions)
    if m.id == "manual-update" and not probe.backward_calls:
        fail(f"`{fn}(...)` changed the weights without loss.backward() or an optimizer.",
             "The exercise is about the PyTorch loop: compute gradients with loss.backward() and apply them "
             "with optimizer.step().", failure="manual-update")
    if m.id == "manual-update":
        fail(f"`{fn}(...)` updated the weights by hand instead of calling optimizer.step().",
             "The by-hand update is what step() does, but this exercise trains with the optimizer it passes in: "
             "compute gradients with loss.backward() and apply them with optimizer.step().", failure="manual-update")
    _gradient_words(fn, probe, m)


def expect_loss_list(losses: Any, epochs: int | None, fn: str = "train") -> list[float]:
    """The list of per-epoch losses a training function returns, as floats (``epochs=None``: any length)."""
    if losses is None:
        fail(f"`{fn}(...)` returned None: it should return the list of losses, one float per epoch.",
             failure="placeholder")
    if isinstance(losses, torch.Tensor):
        fail(f"`{fn}(...)` returned a tensor; return a Python list of floats, one per epoch (append loss.item()).",
             failure="wrong-type")
    try:
        values = list(losses)
    except TypeError:
        fail(f"`{fn}(...)` should return a list of losses, but it returned {describe(losses)}.", failure="wrong-type")
    if not values:
        fail(f"`{fn}(...)` returned an empty list: the loop body has not run or does not record the loss.",
             "Append loss.item() once per epoch.", failure="placeholder")
    if any(isinstance(v, torch.Tensor) and v.requires_grad for v in values):
        fail(f"`{fn}(...)` returned the loss tensors themselves, each still attached to its graph.",
             "Keeping the tensor keeps its whole graph alive, step after step. Append loss.item(), a plain float.",
             failure="loss-accumulated-with-graph")
    try:
        floats = [float(v) for v in values]
    except (TypeError, ValueError):
        fail(f"`{fn}(...)` should return numbers, but its list holds {describe(values[0])}.", failure="wrong-type")
    if epochs is not None and len(floats) != epochs:
        fail(f"`{fn}(..., epochs={epochs})` returned {len(floats)} losses; it should return one per epoch ({epochs}).",
             "Run range(epochs) iterations and append one loss per iteration.", failure="wrong-length")
    if not all(math.isfinite(v) for v in floats):
        fail(f"The loss became inf or NaN inside `{fn}(...)`: training diverged.",
             "A learning rate that is too large makes every step overshoot further than the last.",
             failure="diverged", misconceptions=["bigger-lr-is-faster"])
    return floats


def expect_fit(model: nn.Linear, losses: Sequence[float], *, tol: float = 0.05, what: str = "your model") -> None:
    """The fitted line must be close to y = 2x + 1, with a diagnosis if it is not."""
    w = float(model.weight.detach().reshape(-1)[0])
    b = float(model.bias.detach().reshape(-1)[0])
    if abs(w - 2) <= tol and abs(b - 1) <= tol:
        return
    got = f"{what} ended at w = {w:.3f}, b = {b:.3f}; the data come from w = 2, b = 1 (within {tol})."
    if losses and (not math.isfinite(losses[-1]) or losses[-1] > losses[0]):
        fail(f"The loss grew during training: {losses[0]:.3g} at the start, {losses[-1]:.3g} at the end. "
             "The learning rate is too large.", got,
             "Each step jumps past the minimum and lands further up the other side. Try a smaller lr (0.1 works here).",
             failure="diverged", misconceptions=["bigger-lr-is-faster"])
    if losses and len(losses) > 1 and losses[-1] < losses[0]:
        fail(f"Training went the right way but stopped early: the loss fell from {losses[0]:.3g} to "
             f"{losses[-1]:.3g}, and the fit is not there yet.", got,
             "Give it more epochs, or a larger learning rate (0.1 with 200 epochs is plenty here).",
             failure="not-converged")
    fail(f"The weights did not learn the line. {got}", failure="not-converged")


# ------------------------------------------------------------------ the learner's train(), checked

def check_train(ex, *, epochs: int = 40, lr: float = 0.1, starter: bool = True):
    """Run the learner's ``train(model, optimizer, loss_fn, X, y, epochs)`` on the checker's own data, model and
    SGD optimizer, explain any loop mistake, and compare the result with a correct loop. Returns the model."""
    X, y = line_data(16)
    model = line_model(0.0, 0.0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    result, probe = run_loop(ex, "train", model, optimizer, nn.MSELoss(), X, y, epochs)
    if starter and isinstance(result, list) and not result and not probe.backward_calls and not probe.steps:
        fail("`train` is still the starter: its loop body is empty, so it returns no losses and trains nothing.",
             "Inside `for _ in range(epochs):` write the five moves: optimizer.zero_grad(), y_hat = model(X), "
             "loss = loss_fn(y_hat, y), loss.backward(), optimizer.step(); then append loss.item().",
             failure="placeholder")
    explain_loop(ex, probe)
    if probe.forward_calls and not probe.saw_input(X):
        fail("`train` never called the model on the X it was given: it seems to use another tensor (a global X?).",
             "Use the arguments: y_hat = model(X), loss = loss_fn(y_hat, y), with the X and y passed to train.",
             failure="ignores-arguments")
    losses = expect_loss_list(result, epochs)
    if len(probe.steps) != epochs:
        fail(f"train(..., epochs={epochs}) stepped the optimizer {len(probe.steps)} times; it should step once per "
             "epoch.", failure="wrong-step-count")

    ref_model = line_model(0.0, 0.0)
    ref_losses = reference_fit(ref_model, torch.optim.SGD(ref_model.parameters(), lr=lr), nn.MSELoss(), X, y, epochs)
    same_weights = all(torch.allclose(a, b, atol=1e-5) for a, b in zip(model.parameters(), ref_model.parameters()))
    if not same_weights:
        fail(f"After {epochs} epochs your train() left w = {model.weight.item():.4f}, b = {model.bias.item():.4f}; "
             f"a correct loop from the same start ends at w = {ref_model.weight.item():.4f}, "
             f"b = {ref_model.bias.item():.4f}.",
             "Each iteration: zero_grad(), forward with model(X), loss_fn(y_hat, y), backward(), step().",
             failure="wrong-values")
    if not all(abs(a - b) <= 1e-4 * max(1.0, abs(b)) for a, b in zip(losses, ref_losses)):
        shifted = all(abs(a - b) <= 1e-4 * max(1.0, abs(b)) for a, b in zip(losses, ref_losses[1:]))
        fail("train() trains correctly, but the losses it returns are not the losses of each iteration's forward pass.",
             "Record the loss you just called backward() on: losses.append(loss.item())." +
             (" (Yours look one step late: did you compute an extra loss after step()?)" if shifted else ""),
             failure="wrong-losses")
    return model

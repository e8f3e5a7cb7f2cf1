"""Runtime probes shared by the training-loop checkers (a helper, not a checker: no check()).

A checker hands the learner's training function a model (and usually an optimizer) of
its own, runs it under a :class:`LoopProbe`, and asks what really happened:

- how many forward passes, ``backward()`` calls, ``zero_grad()`` calls and optimizer steps;
- at every step, the gradient ``step()`` actually used, next to the gradient of that
  step's own loss (read by a hook on each parameter before it is added to ``.grad``) and
  the running sum of every gradient so far.

From that evidence :func:`explain_loop` names the classic mistakes of the lesson:

=========================  =============================================================
failure tag                what the evidence shows
=========================  =============================================================
missing-zero-grad          the gradient used equals the sum of all gradients so far
step-before-backward       step() found no gradient from this iteration (None or zero)
missing-backward           step() ran, backward() never did
missing-optimizer-step     backward() ran, no optimizer ever stepped
optimizer-missing-params   the optimizer that stepped does not hold every parameter
forward-called-directly    backward() ran but the model was never called as model(x)
manual-update              the weights changed without any optimizer step
other-model                an optimizer stepped, but over none of the model's parameters
=========================  =============================================================

Exceptions from the learner's function are translated by :func:`call_learner`
(``non-scalar-backward``, ``graph-freed``, ``update-outside-no-grad``, ``detached-loss``).
Everything here is evidence from running code, never from the learner's source text.
Checkers import it as ``import _loop_probes as lp`` (the harness puts the checker folder
on the import path while it loads a checker).
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any, Callable, Sequence

import torch
import torch.nn as nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

from torchtutor.checks import fail
from torchtutor.checks.api import CheckFailure, describe, learner_error, learner_frame, shape_words

ZERO_GRAD_FIX = ("Clear, compute, use: call optimizer.zero_grad() once per iteration, before loss.backward() "
                 "(or after optimizer.step()), never between the two.")


class TooManySteps(BaseException):
    """Raised from inside the learner's loop when it runs far longer than the exercise allows.
    A BaseException, so that an ``except Exception`` in learner code lets it through."""


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


# ------------------------------------------------------------------ the probe

class StepRecord:
    """What one optimizer step saw."""

    def __init__(self, index: int, used: dict[str, torch.Tensor | None], fresh: dict[str, torch.Tensor | None],
                 total: dict[str, torch.Tensor], passes: int, passes_since_last: int, missing: list[str]):
        self.index = index
        self.used = used                    # p.grad at the moment step() ran
        self.fresh = fresh                  # the gradient of the most recent backward pass alone
        self.total = total                  # the sum of every backward pass so far
        self.passes = passes                # backward passes so far
        self.passes_since_last = passes_since_last
        self.missing = missing              # model parameters this optimizer does not hold


def _flat(tensors: Sequence[torch.Tensor | None]) -> torch.Tensor | None:
    if any(t is None for t in tensors):
        return None
    return torch.cat([t.detach().reshape(-1).double() for t in tensors]) if tensors else None


def _close(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    if a is None or b is None or not bool(torch.isfinite(a).all()) or not bool(torch.isfinite(b).all()):
        return False
    scale = float(b.abs().max()) if b.numel() else 0.0
    return bool(torch.allclose(a, b, rtol=1e-3, atol=1e-6 + 1e-4 * scale))


class LoopProbe:
    """Watches one model while learner code trains it. Use as a context manager."""

    def __init__(self, model: nn.Module, max_steps: int = 20_000):
        self.model = model
        self.max_steps = max_steps
        self.named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.initial = {n: p.detach().clone() for n, p in self.named}
        self.fresh: dict[str, torch.Tensor | None] = {n: None for n, _ in self.named}
        self.total = {n: torch.zeros_like(p, dtype=torch.float64) for n, p in self.named}
        self.fresh_count = {n: 0 for n, _ in self.named}
        self.steps: list[StepRecord] = []
        self.foreign_steps = 0
        self.zero_grad_calls = 0
        self.forward_calls = 0
        self.inputs: list[Any] = []         # the first argument of each model(...) call (first few only)
        self.backward_calls = 0
        self.backward_roots: list[tuple[int, ...]] = []
        self.warnings: list[str] = []
        self._passes_at_last_step = 0
        self._handles: list[Any] = []
        self._patches: list[tuple[Any, str, Any]] = []
        self._warn_ctx = None

    # -- evidence
    @property
    def passes(self) -> int:
        return max(self.fresh_count.values(), default=0)

    def changed(self) -> bool:
        return any(not torch.equal(p.detach(), self.initial[n]) for n, p in self.named)

    # -- hooks
    def _param_hook(self, name: str) -> Callable[[torch.Tensor], None]:
        def hook(grad: torch.Tensor) -> None:
            g = grad.detach().clone()
            self.fresh[name] = g
            self.total[name] += g.double()
            self.fresh_count[name] += 1
        return hook

    def _step_pre(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        if not any(id(p) in held for _, p in self.named):
            self.foreign_steps += 1
            return
        if len(self.steps) >= self.max_steps:
            raise TooManySteps(f"more than {self.max_steps} optimizer steps")
        passes = self.passes
        self.steps.append(StepRecord(
            index=len(self.steps),
            used={n: (None if p.grad is None else p.grad.detach().clone()) for n, p in self.named},
            fresh={n: (None if g is None else g.clone()) for n, g in self.fresh.items()},
            total={n: t.clone() for n, t in self.total.items()},
            passes=passes,
            passes_since_last=passes - self._passes_at_last_step,
            missing=[n for n, p in self.named if id(p) not in held],
        ))
        self._passes_at_last_step = passes

    def __enter__(self) -> "LoopProbe":
        for name, p in self.named:
            self._handles.append(p.register_hook(self._param_hook(name)))
        self._handles.append(register_optimizer_step_pre_hook(self._step_pre))
        self._handles.append(self.model.register_forward_pre_hook(self._count_forward))

        probe = self
        original_backward = torch.autograd.backward

        def backward(tensors, *args, **kwargs):
            probe.backward_calls += 1
            root = tensors[0] if isinstance(tensors, (tuple, list)) and tensors else tensors
            if isinstance(root, torch.Tensor):
                probe.backward_roots.append(tuple(root.shape))
            return original_backward(tensors, *args, **kwargs)

        self._patch(torch.autograd, "backward", backward)
        for owner in (torch.optim.Optimizer, nn.Module):
            original = owner.zero_grad

            def zero_grad(self_, *args, _original=original, **kwargs):
                probe.zero_grad_calls += 1
                return _original(self_, *args, **kwargs)

            self._patch(owner, "zero_grad", zero_grad)
        self._warn_ctx = warnings.catch_warnings(record=True)
        self._caught = self._warn_ctx.__enter__()
        warnings.simplefilter("always")
        return self

    def _count_forward(self, module: nn.Module, args: tuple) -> None:
        self.forward_calls += 1
        if len(self.inputs) < 3:
            self.inputs.append(args[0] if args else None)

    def saw_input(self, X: torch.Tensor) -> bool:
        """Did the model get called on X (the tensor the checker passed in)?"""
        return any(isinstance(a, torch.Tensor) and a.shape == X.shape and torch.equal(a.detach(), X)
                   for a in self.inputs)

    def _patch(self, owner: Any, name: str, value: Any) -> None:
        self._patches.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, value)

    def __exit__(self, *exc: Any) -> None:
        for handle in self._handles:
            handle.remove()
        for owner, name, original in reversed(self._patches):
            setattr(owner, name, original)
        if self._warn_ctx is not None:
            self.warnings = [str(w.message) for w in self._caught]
            self._warn_ctx.__exit__(*exc)


# ------------------------------------------------------------------ running learner code

def call_learner(ex, name: str, *args: Any, probe: LoopProbe | None = None, **kwargs: Any) -> Any:
    """Call the learner's function ``name``; the loop mistakes that raise become verdicts
    that name them, anything else a verdict with the learner's line."""
    fn = ex.get(name)
    if not callable(fn):
        fail(f"`{name}` should be a function, but it is {describe(fn)}.", failure="not-callable")
    try:
        return fn(*args, **kwargs)
    except CheckFailure:
        raise
    except TooManySteps:
        fail(f"`{name}(...)` ran more than {probe.max_steps if probe else 'the allowed number of'} optimizer steps.",
             "The exercise data is tiny: a few hundred full-batch steps are plenty. Check the loop's range().",
             failure="too-many-steps")
    except Exception as exc:
        raise explain_exception(ex, exc, f"Calling `{name}(...)`", probe) from None


def explain_exception(ex, exc: BaseException, doing: str, probe: LoopProbe | None = None) -> CheckFailure:
    text = str(exc)
    frame = learner_frame(exc, ex.file)
    where = f" (line {frame.lineno}: {frame.line.strip()})" if frame and frame.line else ""
    if isinstance(exc, RuntimeError) and "only for scalar outputs" in text:
        shape = next((s for s in reversed(probe.backward_roots) if len(s) and math.prod(s) != 1), None) if probe else None
        got = f"a tensor of shape {shape_words(shape)}" if shape else "a tensor with more than one element"
        return CheckFailure(
            f"loss.backward() got {got}{where}. backward() needs one number: reduce with .mean() or .sum().",
            ["A loss made with reduction='none' (or a squared error never averaged) holds one loss per sample. "
             "The gradient needs a single quantity to differentiate, the one number that says how wrong the "
             "model is: reduce the per-sample losses first, e.g. loss.mean().backward()."],
            ["backward-on-any-tensor"], "non-scalar-backward")
    if isinstance(exc, RuntimeError) and "backward through the graph a second time" in text:
        return CheckFailure(
            f"backward() walked a graph that an earlier backward() had already freed{where}.",
            ["Each forward pass records a fresh graph and loss.backward() frees it. If y_hat = model(X) (or the loss) "
             "is computed once, before the loop, the second iteration has no graph left to walk.",
             "Compute the prediction and the loss inside the loop, every iteration."],
            ["graph-persists"], "graph-freed")
    if isinstance(exc, RuntimeError) and "leaf Variable that requires grad is being used in an in-place" in text:
        return CheckFailure(
            f"An in-place update of a parameter ran with gradient recording on{where}.",
            ["`p -= lr * p.grad` on a parameter must not be recorded as part of the graph: wrap the update in "
             "`with torch.no_grad():` (optimizer.step() does exactly that for you)."],
            ["no-grad-is-only-speed"], "update-outside-no-grad")
    if isinstance(exc, RuntimeError) and "does not require grad and does not have a grad_fn" in text:
        return CheckFailure(
            f"loss.backward() ran on a loss that is not connected to the parameters{where}.",
            ["The loss was computed from a detached value (.item(), .detach(), a NumPy round trip) or inside "
             "torch.no_grad(), so there is no graph from it back to the weights. Compute it from model(X) directly."],
            [], "detached-loss")
    if isinstance(exc, TypeError) and "object is not iterable" in text and ("Linear" in text or "Module" in text
                                                                             or "Sequential" in text):
        return CheckFailure(
            f"An optimizer was given the model itself{where}: {text}.",
            ["Optimizers take the tensors to update: pass model.parameters(), not model."],
            [], "optimizer-given-model")
    return learner_error(exc, ex.file, doing)


def run_loop(ex, name: str, model: nn.Module, *args: Any, max_steps: int = 20_000, **kwargs: Any) -> tuple[Any, LoopProbe]:
    """Run the learner's training function ``name`` on ``model`` under a probe."""
    probe = LoopProbe(model, max_steps=max_steps)
    with probe:
        result = call_learner(ex, name, model, *args, probe=probe, **kwargs)
    return result, probe


# ------------------------------------------------------------------ explaining what happened

def _norm(t: torch.Tensor | None) -> float:
    return float(t.norm()) if t is not None else float("nan")


def _broadcast_warning(probe: LoopProbe) -> str | None:
    return next((w for w in probe.warnings if "target size" in w and "broadcast" in w), None)


def explain_loop(ex, probe: LoopProbe, *, fn: str = "train", needs_optimizer: bool = True) -> None:
    """Fail with the first loop mistake the probe's evidence shows; return if there is none."""
    code = "\n".join(line.split("#", 1)[0] for line in ex.source.splitlines())
    names_without_call = re.search(r"\.zero_grad\b(?!\s*\()", code) is not None
    warning = _broadcast_warning(probe)
    if warning:
        fail(f"Inside `{fn}(...)` the loss compared tensors of different shapes: {warning.split('. ')[0]}.",
             "A prediction of shape [N, 1] against a target of shape [N] broadcasts to [N, N]: every prediction is "
             "compared with every target and the loss means nothing. Make the shapes match, e.g. "
             "y_hat.reshape(-1, 1) or a model that returns [N, 1].",
             failure="loss-broadcast")
    if not probe.steps and probe.foreign_steps == 0 and probe.passes == 0 and probe.backward_calls == 0:
        if probe.changed():
            if not needs_optimizer:
                return None
            fail(f"`{fn}(...)` changed the weights without loss.backward() or an optimizer.",
                 "The exercise is about the PyTorch loop: compute gradients with loss.backward() and apply them "
                 "with optimizer.step().", failure="manual-update")
        fail(f"`{fn}(...)` never called loss.backward() or optimizer.step(): the model was not trained at all.",
             "One iteration is five moves: optimizer.zero_grad(), y_hat = model(X), loss = loss_fn(y_hat, y), "
             "loss.backward(), optimizer.step().", failure="no-training")

    if probe.backward_calls and probe.forward_calls == 0 and probe.passes:
        fail(f"`{fn}(...)` computed the prediction with model.forward(X) instead of model(X).",
             "Calling the model, model(X), runs nn.Module's __call__: the hooks, then forward(). Calling forward() "
             "directly skips the hooks, which PyTorch tools (and this checker) rely on. Always write model(X).",
             failure="forward-called-directly", misconceptions=["forward-equals-call"])

    if not probe.steps:
        if probe.foreign_steps:
            fail(f"An optimizer stepped inside `{fn}(...)`, but it holds none of the model's parameters.",
                 f"`{fn}` has to train the model and optimizer it is given. Did it build a new model, or an optimizer "
                 "over another model's parameters?", failure="other-model")
        if probe.changed():
            if needs_optimizer:
                fail(f"`{fn}(...)` updated the weights by hand instead of calling optimizer.step().",
                     "The by-hand update is what step() does, but this exercise trains with the optimizer it passes in: "
                     "replace the manual update with optimizer.step().", failure="manual-update")
            return None
        fail(f"`{fn}(...)` called loss.backward() {probe.backward_calls} times but never optimizer.step(): "
             "the weights never moved, so the loss never moved either.",
             "backward() only computes the gradients and stores them in .grad. Nothing changes until the optimizer "
             "uses them: call optimizer.step() after loss.backward() in every iteration.",
             failure="missing-optimizer-step", misconceptions=["backward-updates-weights"])

    if probe.passes == 0:
        fail(f"optimizer.step() ran {len(probe.steps)} times inside `{fn}(...)`, but loss.backward() never ran: "
             "every step found the gradients empty, so nothing changed.",
             "step() does not compute gradients, it only reads .grad. Compute them first with loss.backward() in "
             "the same iteration.", failure="missing-backward", misconceptions=["step-computes-gradients"])

    first = probe.steps[0]
    if first.missing:
        names = ", ".join(first.missing)
        fail(f"The optimizer does not hold every parameter of the model: {names} never gets updated.",
             "Build the optimizer from model.parameters(), which lists every parameter of every layer.",
             failure="optimizer-missing-params")

    names = [n for n, _ in probe.named]
    for rec in probe.steps:
        used = _flat([rec.used[n] for n in names])
        fresh = _flat([rec.fresh[n] for n in names])
        total = _flat([rec.total[n] for n in names])
        if used is not None and not bool(torch.isfinite(used).all()):
            break       # the run diverged: expect_loss_list and expect_fit say so with the losses
        if used is None or float(used.abs().max()) == 0.0:
            if rec.passes_since_last > 0:
                fail(f"At step {rec.index} the gradients were cleared after loss.backward() and before "
                     "optimizer.step(), so step() found nothing to use and the weights never moved.",
                     "zero_grad() between backward() and step() throws the fresh gradients away just before they "
                     "are used. " + ZERO_GRAD_FIX,
                     failure="step-before-backward", misconceptions=["zero-grad-anywhere"])
            fail(f"At step {rec.index}, optimizer.step() ran before that iteration's loss.backward(): it found no "
                 "gradient to use, so the weights did not move.",
                 "Order matters: the loss's gradients must exist before step() can use them. Each iteration: "
                 "zero_grad(), forward, loss, backward(), then step().",
                 failure="step-before-backward", misconceptions=["step-computes-gradients"])
        if _close(used, fresh) and rec.passes_since_last <= 1:
            continue
        if rec.passes >= 2 and _close(used, total) and not _close(fresh, total):
            worst = max(probe.steps, key=lambda r: _norm(_flat([r.used[n] for n in names])) /
                        max(_norm(_flat([r.fresh[n] for n in names])), 1e-12))
            w_used = _norm(_flat([worst.used[n] for n in names]))
            w_fresh = _norm(_flat([worst.fresh[n] for n in names]))
            extra = ""
            if names_without_call and probe.zero_grad_calls == 0:
                extra = (" Your file writes `.zero_grad` without parentheses: that only names the method, it does "
                         "not call it. Write optimizer.zero_grad().")
            elif probe.zero_grad_calls:
                extra = (f" zero_grad() ran {probe.zero_grad_calls} time(s) in {len(probe.steps)} steps: "
                         "it has to run in every iteration, not once.")
            fail(f"Gradients are never cleared between steps: they pile up. Already at step {rec.index} (counting "
                 f"from 0), optimizer.step() used the sum of the gradients of {rec.passes} backward passes, not the "
                 "last one alone.",
                 f"Evidence: at step {worst.index} the gradient used had size {w_used:.3g}, while that step's own "
                 f"loss asked for {w_fresh:.3g}. .grad adds every backward() to what is already there, so the "
                 "model keeps being pushed by old gradients and the loss never settles." + extra,
                 ZERO_GRAD_FIX, failure="missing-zero-grad", misconceptions=["zero-grad-is-boilerplate"])
        if rec.passes_since_last > 1:
            fail(f"loss.backward() ran {rec.passes_since_last} times before step {rec.index}: the gradients of "
                 "those passes were added together.",
                 "One iteration is one forward pass, one loss, one backward() and one step().",
                 failure="backward-twice")
        fail(f"At step {rec.index} the gradient optimizer.step() used (size {_norm(used):.3g}) is not the gradient "
             f"of that iteration's loss (size {_norm(fresh):.3g}).",
             "Each iteration should clear the gradients, compute the loss of the current weights, call backward() "
             "once and then step().", failure="stale-gradient")
    return None


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

"""The training-loop probe: what really happened while learner code trained a model.

A checker hands the learner's training function a model of its own and runs it under a
:class:`LoopProbe`::

    from torchtutor.diagnose.loop_probe import LoopProbe, loop_mistake

    probe = LoopProbe(model, max_steps=2000)
    with probe:
        losses = learner_train(model, optimizer, loss_fn, X, y, epochs)
    mistake = loop_mistake(probe)           # a LoopMistake (id, step, evidence) or None

The probe counts forward passes (``model(x)``), ``backward()`` calls, ``zero_grad()`` calls
and optimizer steps. At every step of an optimizer that holds the model's parameters it
records, per parameter, the gradient ``step()`` used (``p.grad`` at that moment), the
gradient of the most recent backward pass alone (read by a hook before it is added to
``.grad``) and the running sum of every gradient so far. It raises :class:`TooManySteps`
(a BaseException, so that ``except Exception`` in learner code lets it through) when the
loop runs past ``max_steps``. ``probe.crash_context()`` is the ``context`` for
:func:`~torchtutor.diagnose.explain_exception` when the learner's code raised.

:func:`loop_mistake` decides from that evidence, first match wins:

=======================  ==========================================================  ==========
id                       evidence                                                    catalogue
=======================  ==========================================================  ==========
loss-broadcast           a "target size ... broadcast" warning during the loop        yes
no-training              no backward, no step, weights unchanged                      no
manual-update            weights changed without any optimizer step                   no
forward-called-directly  backward ran, the model's forward hooks never fired          yes
other-model              an optimizer stepped, over none of the model's parameters    no
missing-optimizer-step   backward ran, no optimizer step                              yes
missing-backward         steps ran, no backward ever did                              yes
optimizer-missing-params the optimizer that stepped lacks some model parameters       yes
zero-gradient            every gradient was already zero straight after backward      no
step-before-backward     step found no gradient of this iteration (``variant``:       yes
                         ``cleared`` after backward, or ``before-backward``)
missing-zero-grad        the gradient used is the sum of all gradients so far         yes
backward-twice           several backward passes between two steps                    no
stale-gradient           the gradient used is not this iteration's                    no
=======================  ==========================================================  ==========

The ids marked "yes" are catalogue ids (:mod:`.catalogue`); the others are facts about one
function call that only an exercise can set up. Everything here is runtime evidence; the
learner's source text is never read. The words for a learner are the checker's to write
(the lesson knows what the function is called and what it was asked to do).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import torch
import torch.nn as nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

#: Relative tolerance when comparing the gradient a step used with a fresh or summed one:
#: float32 sums of a few hundred gradients differ from float64 sums in the fourth digit.
GRAD_RTOL = 1e-3
#: Absolute floor of that comparison, relative to the largest gradient entry.
GRAD_ATOL_SCALE = 1e-4


class TooManySteps(BaseException):
    """Raised from inside the learner's loop when it runs past the probe's ``max_steps``."""


@dataclass
class StepRecord:
    """What one optimizer step saw (``used``, ``fresh``: per parameter name, or None)."""

    index: int
    used: dict[str, torch.Tensor | None]     # p.grad at the moment step() ran
    fresh: dict[str, torch.Tensor | None]    # the gradient of the most recent backward pass alone
    total: dict[str, torch.Tensor]           # the sum of every backward pass so far
    passes: int                              # backward passes so far
    passes_since_last: int                   # backward passes since the previous step
    missing: list[str]                       # model parameters this optimizer does not hold


@dataclass
class LoopMistake:
    """The first loop mistake the evidence shows: its id, the step it showed at, the numbers."""

    id: str
    step: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def _flat(tensors: Sequence[torch.Tensor | None]) -> torch.Tensor | None:
    if not tensors or any(t is None for t in tensors):
        return None
    return torch.cat([t.detach().reshape(-1).double() for t in tensors])


def _close(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    if a is None or b is None or not bool(torch.isfinite(a).all()) or not bool(torch.isfinite(b).all()):
        return False
    scale = float(b.abs().max()) if b.numel() else 0.0
    return bool(torch.allclose(a, b, rtol=GRAD_RTOL, atol=1e-6 + GRAD_ATOL_SCALE * scale))


def _is_zero(t: torch.Tensor | None) -> bool:
    return t is None or float(t.abs().max()) == 0.0


def norm(t: torch.Tensor | None) -> float:
    return float(t.norm()) if t is not None else float("nan")


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
        self.inputs: list[Any] = []          # the first argument of the first few model(...) calls
        self.backward_calls = 0
        self.backward_roots: list[tuple[int, ...]] = []
        self.warnings: list[str] = []
        self._passes_at_last_step = 0
        self._handles: list[Any] = []
        self._patches: list[tuple[Any, str, Any]] = []
        self._warn_ctx: Any = None
        self._caught: list[Any] = []

    # ------------------------------------------------------------------ evidence
    @property
    def passes(self) -> int:
        """Backward passes that reached the model's parameters."""
        return max(self.fresh_count.values(), default=0)

    def changed(self) -> bool:
        """Did any parameter's value change?"""
        return any(not torch.equal(p.detach(), self.initial[n]) for n, p in self.named)

    def saw_input(self, X: torch.Tensor) -> bool:
        """Was the model called on X (the tensor the checker passed in)?"""
        return any(isinstance(a, torch.Tensor) and a.shape == X.shape and torch.equal(a.detach(), X)
                   for a in self.inputs)

    def broadcast_warning(self) -> str | None:
        return next((w for w in self.warnings if "target size" in w and "broadcast" in w), None)

    def crash_context(self) -> dict[str, Any]:
        """Facts for :func:`~torchtutor.diagnose.explain_exception` about a crash inside the loop."""
        shape = next((s for s in reversed(self.backward_roots) if len(s) and math.prod(s) != 1), None)
        return {"backward_shape": list(shape)} if shape is not None else {}

    def graph_reused(self) -> bool:
        """More backward passes than forward passes: one forward's graph was walked again."""
        return self.backward_calls > self.forward_calls >= 1

    # ------------------------------------------------------------------ hooks
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

    def _count_forward(self, module: nn.Module, args: tuple) -> None:
        self.forward_calls += 1
        if len(self.inputs) < 3:
            self.inputs.append(args[0] if args else None)

    def _patch(self, owner: Any, name: str, value: Any) -> None:
        self._patches.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, value)

    def __enter__(self) -> "LoopProbe":
        for name, p in self.named:
            self._handles.append(p.register_hook(self._param_hook(name)))
        self._handles.append(register_optimizer_step_pre_hook(self._step_pre))
        self._handles.append(self.model.register_forward_pre_hook(self._count_forward))
        probe = self
        original_backward = torch.autograd.backward

        def backward(tensors: Any, *args: Any, **kwargs: Any) -> Any:
            probe.backward_calls += 1
            root = tensors[0] if isinstance(tensors, (tuple, list)) and tensors else tensors
            if isinstance(root, torch.Tensor):
                probe.backward_roots.append(tuple(root.shape))
            return original_backward(tensors, *args, **kwargs)

        self._patch(torch.autograd, "backward", backward)
        for owner in (torch.optim.Optimizer, nn.Module):
            original = owner.zero_grad

            def zero_grad(self_: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
                probe.zero_grad_calls += 1
                return _original(self_, *args, **kwargs)

            self._patch(owner, "zero_grad", zero_grad)
        self._warn_ctx = warnings.catch_warnings(record=True)
        self._caught = self._warn_ctx.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc: Any) -> None:
        for handle in self._handles:
            handle.remove()
        for owner, name, original in reversed(self._patches):
            setattr(owner, name, original)
        if self._warn_ctx is not None:
            self.warnings = [str(w.message) for w in self._caught]
            self._warn_ctx.__exit__(*exc)


class BackwardCounter:
    """Counts backward passes (``loss.backward()``, ``torch.autograd.backward`` and
    ``torch.autograd.grad``) while the block runs: evidence that a function let autograd find
    its gradients rather than typing a derivative in by hand."""

    def __init__(self) -> None:
        self.calls = 0
        self._saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> "BackwardCounter":
        for name in ("backward", "grad"):
            original = getattr(torch.autograd, name)

            def counted(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                self.calls += 1
                return _original(*args, **kwargs)

            self._saved.append((torch.autograd, name, original))
            setattr(torch.autograd, name, counted)
        return self

    def __exit__(self, *exc: Any) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)


def loop_mistake(probe: LoopProbe, *, needs_optimizer: bool = True) -> LoopMistake | None:
    """The first loop mistake the probe's evidence shows (see the module's table), or None.

    ``needs_optimizer=False``: updating the weights without an optimizer is allowed."""
    warning = probe.broadcast_warning()
    if warning:
        return LoopMistake("loss-broadcast", evidence={"warning": warning.split(". ")[0]})
    if not probe.steps and probe.foreign_steps == 0 and probe.passes == 0 and probe.backward_calls == 0:
        if probe.changed():
            return LoopMistake("manual-update") if needs_optimizer else None
        return LoopMistake("no-training")
    if probe.backward_calls and probe.forward_calls == 0 and probe.passes:
        return LoopMistake("forward-called-directly", evidence={"backward_calls": probe.backward_calls})
    if not probe.steps:
        if probe.foreign_steps:
            return LoopMistake("other-model", evidence={"foreign_steps": probe.foreign_steps})
        if probe.changed():
            return LoopMistake("manual-update") if needs_optimizer else None
        return LoopMistake("missing-optimizer-step", evidence={"backward_calls": probe.backward_calls})
    if probe.passes == 0:
        return LoopMistake("missing-backward", evidence={"steps": len(probe.steps)})
    if probe.steps[0].missing:
        return LoopMistake("optimizer-missing-params", 0, {"missing": probe.steps[0].missing})
    return _gradient_mistake(probe)


def _gradient_mistake(probe: LoopProbe) -> LoopMistake | None:
    names = [n for n, _ in probe.named]
    for rec in probe.steps:
        used = _flat([rec.used[n] for n in names])
        fresh = _flat([rec.fresh[n] for n in names])
        total = _flat([rec.total[n] for n in names])
        if used is not None and not bool(torch.isfinite(used).all()):
            return None       # the run diverged: the losses say so better than the gradients
        fresh_zero = rec.passes_since_last > 0 and fresh is not None and _is_zero(fresh)
        if fresh_zero and rec.index == 0:
            # backward() ran and gave exactly zero for every parameter: nothing was cleared, the
            # loss does not depend on the weights (a softmax over one output unit, a constant).
            return LoopMistake("zero-gradient", rec.index, {"parameters": names})
        if _is_zero(used):
            if fresh_zero:
                continue      # a converged step with an exactly zero gradient: nothing to say
            variant = "cleared" if rec.passes_since_last > 0 else "before-backward"
            return LoopMistake("step-before-backward", rec.index, {"variant": variant})
        if _close(used, fresh) and rec.passes_since_last <= 1:
            continue
        if rec.passes >= 2 and _close(used, total) and not _close(fresh, total):
            def ratio(r: StepRecord) -> float:
                return norm(_flat([r.used[n] for n in names])) / max(norm(_flat([r.fresh[n] for n in names])), 1e-12)

            worst = max(probe.steps, key=ratio)
            return LoopMistake("missing-zero-grad", rec.index, {
                "passes": rec.passes, "worst_step": worst.index,
                "worst_used": norm(_flat([worst.used[n] for n in names])),
                "worst_fresh": norm(_flat([worst.fresh[n] for n in names])),
                "zero_grad_calls": probe.zero_grad_calls, "steps": len(probe.steps)})
        if rec.passes_since_last > 1:
            return LoopMistake("backward-twice", rec.index, {"passes": rec.passes_since_last})
        return LoopMistake("stale-gradient", rec.index, {"used": norm(used), "fresh": norm(fresh)})
    return None

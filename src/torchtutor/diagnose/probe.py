"""The probe: what a PyTorch program actually does, observed through hooks.

A :class:`Probe` is an event hub. While it is installed it patches PyTorch in a few places
(global module forward pre/post hooks, global optimizer step pre/post hooks, and guarded
wrappers on ``torch.autograd.backward``, the loss functions of ``torch.nn.functional``,
``zero_grad``, ``torch.save``/``torch.load``, ``load_state_dict``, DataLoader iteration and,
during the first steps only, ``Tensor.view``/``reshape`` and ``Tensor.grad``). It keeps the
records every detector needs (the models, the optimizers, the loaders, a clock that ticks at
every step, clear, backward and load) and turns each call into an event for the detectors in
:mod:`.detectors`. Each detector owns one family of mistakes: its evidence, its decision and
its catalogue ids. The probe also keeps the budget (``max_steps``/``max_seconds``, and the
fast-forward that lets a long script reach its evaluation code) and the findings.

Everything is evidence from the running program, never from its source text or its
variable names. Per-step work is a few integer updates and cheap attribute reads; anything
that needs a device sync runs only at the first iterations and at sampled steps.
"""

from __future__ import annotations

import time
import weakref
from typing import Any, Callable

import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from .catalogue import PHASE_IDS, note
from .crash import explain_exception
from .detectors import DETECTORS
from .detectors.base import Detector, ModelRecord, OptRecord
from .findings import Finding, SplitFindings, Location, innermost_user_location, plain_text
from .hooks import (FAST_FORWARD_AFTER_STEPS, FAST_FORWARD_AT, FAST_FORWARD_STEPS, MONITOR_BACKWARDS, SAMPLE_EVERY, VIEW_WINDOW_STEPS,
                    Hooks, LoaderRecord, StopRun, round_step)

__all__ = ["Probe", "StopRun", "instrument"]

_OBSERVATION_ORDER = ("gradients", "loss_history", "loop", "training", "evaluation", "models")

class Probe(Hooks, SplitFindings):
    """Instruments PyTorch for the duration of a ``with`` block (or install/uninstall).

    Parameters
    ----------
    max_steps, max_seconds
        Budget. When spent, the run is fast-forwarded (if ``fast_forward``) or stopped by
        raising :class:`StopRun` from the next hook. ``None``: unlimited.
    fast_forward
        After the budget is used, let each pass over a DataLoader yield one more batch only,
        so the script reaches its evaluation code. The budget is ``max_steps`` optimizer
        steps, or ``fast_forward_after`` of them when ``max_steps`` is None
        (FAST_FORWARD_AFTER_STEPS by default; 0 turns that off), or half of the time left at the
        first step if that is spent first; then fast-forward starts at the next round step count
        (:func:`.hooks.round_step`), so the decision is made in steps, the same on every run,
        wherever the speed allows.
    monitor
        Number of backward passes with full per-parameter monitoring at the start.
    sample_every
        Step interval for the sampled gradient-norm and graph checks later on.
    summary
        Run torchinfo on each model at finalisation (the doctor does; checkers need not).
    """

    def __init__(self, *, max_steps: int | None = None, max_seconds: float | None = None,
                 fast_forward: bool = False, monitor: int = MONITOR_BACKWARDS, sample_every: int = SAMPLE_EVERY,
                 summary: bool = False, fast_forward_after: int | None = FAST_FORWARD_AFTER_STEPS):
        self.max_steps = max_steps
        # the step budget of a fast-forwarding run: --max-steps, else the doctor's own
        self.step_budget = max_steps if max_steps is not None else (
            fast_forward_after if fast_forward and fast_forward_after else None)
        self._ff_round: int | None = None  # half the time was spent: fast-forward at this step
        self._ff_armed = False  # the half-time clock starts at the first training step
        self.max_seconds = max_seconds
        self.fast_forward = fast_forward
        self.monitor = max(2, monitor)
        self.sample_every = max(1, sample_every)
        self.summary = summary

        self._installed = False
        self.finalized = False
        self._suspend = 0
        self._depth = 0
        self.tick = 0
        self._t0 = time.monotonic()
        self._deadline: float | None = None
        self._ff_time: float | None = None
        self._ff = False
        self._hard_steps: int | None = None
        self.cut_short: str | None = None
        self.fast_forward_step: int | None = None
        self.stopped_at: int | None = None  # progress (steps) when the deadline stopped the run

        self.n_steps = 0
        self.n_backward = 0
        self.n_zero_grad = 0
        self.n_forward = 0
        self.events: list[str] = []
        self.last_bw_tick = 0
        self.module_zero_tick = 0
        self.last_forward_tick = -1
        self.last_step_tick = -1
        self.backward_loc: Location | None = None
        self.walking = False
        self._walk_next = False

        self._kinds: "weakref.WeakKeyDictionary[nn.Module, Any]" = weakref.WeakKeyDictionary()
        self.models: list[ModelRecord] = []
        self._cur_model: ModelRecord | None = None
        self.last_model: ModelRecord | None = None
        self.deep: ModelRecord | None = None
        self._deep_owner: nn.Module | None = None
        self._direct_params: dict[int, bool] = {}
        self.loaded_modules: list[nn.Module] = []
        self.built_at: "weakref.WeakKeyDictionary[nn.Module, Location | None]" = weakref.WeakKeyDictionary()
        self.opts: dict[int, OptRecord] = {}
        self._loaders: "weakref.WeakKeyDictionary[DataLoader, LoaderRecord]" = weakref.WeakKeyDictionary()
        self.loaders: list[LoaderRecord] = []
        self._cur_loader: LoaderRecord | None = None
        self._fresh_batch = False

        self._findings: dict[tuple, Finding] = {}
        self._order: list[tuple] = []
        self._final: list[Finding] | None = None
        self.observations: dict[str, Any] = {}
        self.crash: dict[str, Any] | None = None
        self.crash_context: dict[str, Any] = {}
        self.internal_errors: list[str] = []

        self._patches: list[tuple[Any, str, Any, bool]] = []
        self._handles: list[Any] = []
        self.view_on = False
        self._window_steps = VIEW_WINDOW_STEPS
        self._window_backwards = 2 * VIEW_WINDOW_STEPS

        self.detectors: list[Detector] = [cls(self) for cls in DETECTORS]
        self._subs: dict[str, list[Callable]] = {}
        for det in self.detectors:
            for name in dir(type(det)):
                if name.startswith("on_"):
                    self._subs.setdefault(name, []).append(getattr(det, name))

    def detector(self, cls: type) -> Any:
        return next(d for d in self.detectors if isinstance(d, cls))

    def _emit(self, event: str, *args: Any) -> None:
        for handler in self._subs.get(event, ()):
            try:
                handler(*args)
            except StopRun:
                raise
            except Exception as exc:  # one detector's error never stops the others or the script
                self._internal(exc)

    def __enter__(self) -> "Probe":
        return self.install()

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.uninstall()
        swallow = False
        if isinstance(exc, StopRun):
            self.cut_short = exc.reason
            swallow = True
        elif exc is not None and isinstance(exc, Exception):
            self.record_exception(exc)
        self.finalize()
        return swallow

    # ------------------------------------------------------------------ public results
    @property
    def findings(self) -> list[Finding]:
        """All findings (warnings first), finalising the probe if needed."""
        if self._final is None:
            self.finalize()
        return list(self._final or [])

    @property
    def ids(self) -> set[str]:
        """The ids of the warnings."""
        return {f.id for f in self.warnings}

    def has(self, mistake_id: str) -> bool:
        return mistake_id in self.ids

    @property
    def fast_forwarding(self) -> bool:
        """True once the budget is spent and each loader pass yields one batch only."""
        return self._ff

    # ------------------------------------------------------------------ findings
    def _internal(self, exc: BaseException) -> None:
        if len(self.internal_errors) < 20:
            self.internal_errors.append(f"{type(exc).__name__}: {exc}")

    def add(self, mid: str, severity: str, message: str, evidence: dict | None = None,
            location: Location | None = None, key: Any = None, fix: str = "") -> Finding:
        """Record a finding once per ``(mid, key)``; a repeat counts an occurrence."""
        k = (mid, key)
        found = self._findings.get(k)
        if found is not None:
            found.evidence["occurrences"] = found.evidence.get("occurrences", 1) + 1
            return found
        f = Finding(id=mid, severity=severity, message=message, evidence=dict(evidence or {}),
                    location=location, fix=fix)
        self._findings[k] = f
        self._order.append(k)
        return f

    def find(self, mid: str, key: Any = None) -> Finding | None:
        return self._findings.get((mid, key))

    def has_warning(self, mid: str) -> bool:
        return any(k[0] == mid and f.is_warning for k, f in self._findings.items())

    def first_warning(self, ids: Any) -> str | None:
        """The first id of ``ids`` reported as a warning so far, in report order."""
        for k in self._order:
            if k[0] in ids and self._findings[k].is_warning:
                return k[0]
        return None

    def warnings_of(self, mid: str) -> list[Finding]:
        return [self._findings[k] for k in self._order if k[0] == mid and self._findings[k].is_warning]

    def event(self, code: str) -> None:
        if len(self.events) < 120:
            self.events.append(code)

    def next_tick(self) -> int:
        self.tick += 1
        return self.tick

    def request_walk(self) -> None:
        """Walk the graph of the next backward pass (which parameters it reaches)."""
        self._walk_next = True

    # ------------------------------------------------------------------ shared records
    def pname(self, p: torch.Tensor) -> str:
        pid = id(p)
        for m in self.models:
            name = m.pnames.get(pid)
            if name is not None:
                return name if len(self.models) == 1 else f"{m.name}.{name}"
        return f"tensor{[int(d) for d in p.shape]}"

    def opt_rec(self, opt: torch.optim.Optimizer) -> OptRecord:
        rec = self.opts.get(id(opt))
        if rec is None or rec.opt is not opt:
            rec = self.opts[id(opt)] = OptRecord(opt, None)
        return rec

    def all_opt_ids(self) -> set[int]:
        ids: set[int] = set()
        for rec in self.opts.values():
            ids |= rec.param_ids()
        return ids

    def opt_steps_of(self, p: torch.Tensor) -> int:
        """Steps taken so far by the optimizers that hold ``p`` (updates through .data do not
        bump the version counter, so the step count is the second witness)."""
        pid = id(p)
        return sum(o.steps for o in self.opts.values() if pid in o.param_ids())

    def model_loaded(self, module: nn.Module) -> None:
        """A tracked checkpoint was loaded into ``module``."""
        self.loaded_modules.append(module)
        kind = self._kinds.get(module)
        if isinstance(kind, ModelRecord):
            kind.loaded = True

    # ------------------------------------------------------------------ budget
    def _progress(self) -> int:
        return self.n_steps if self.n_steps else self.n_backward

    def budget(self) -> None:
        if self._deadline is None and self.step_budget is None:
            return
        now = time.monotonic()
        if self._deadline is not None and now >= self._deadline:
            self.cut_short = self.cut_short or "max-seconds"
            self.stopped_at = self._progress()
            raise StopRun("max-seconds")
        steps = self._progress()
        if not self._ff:
            if self._ff_armed is False and steps >= 1 and self._deadline is not None and self.fast_forward:
                self._ff_armed = True
                self._ff_time = now + (self._deadline - now) * FAST_FORWARD_AT
            if self.step_budget is not None and steps >= self.step_budget:
                self._begin_ff("max-steps" if self.max_steps is not None else "step-budget")
            elif self._ff_round is not None:
                if steps >= self._ff_round:
                    self._begin_ff("max-seconds")
            elif self._ff_time is not None and now >= self._ff_time:
                if self.fast_forward and any(rec.steps > 0 for rec in self.loaders):
                    self._ff_round = round_step(steps)  # decide at a round step, not at this instant
                    if steps >= self._ff_round:
                        self._begin_ff("max-seconds")
                else:
                    self._begin_ff("max-seconds")
        elif self._hard_steps is not None and steps >= self._hard_steps:
            raise StopRun(self.cut_short or "max-steps")

    def _begin_ff(self, reason: str) -> None:
        training_loader = any(rec.steps > 0 for rec in self.loaders)
        if reason == "max-seconds" and not (self.fast_forward and training_loader):
            # half the time is gone but there is nothing to shorten: run on until the deadline
            self._ff_time = None
            self._ff_round = None
            return
        if reason == "step-budget" and not training_loader:
            # the doctor's own step budget, and no DataLoader to shorten: run on as the script says
            self.step_budget = None
            return
        self.cut_short = reason
        self.fast_forward_step = self._progress()
        if not self.fast_forward or not training_loader:
            raise StopRun(reason)
        self._ff = True
        self._hard_steps = self._progress() + FAST_FORWARD_STEPS  # the deadline is the real limit now

    def request_stop(self, reason: str = "max-seconds") -> None:
        """Called from a signal handler in the main thread: end the run now."""
        self.cut_short = self.cut_short or reason
        self.stopped_at = self._progress()
        raise StopRun(reason)

    # ------------------------------------------------------------------ crash
    def record_exception(self, exc: BaseException) -> Finding | None:
        """Translate an exception raised by the instrumented code and keep it as a finding."""
        ctx = dict(self.crash_context)
        params = [p for m in self.models for p in m.module.parameters()]
        if params:
            ctx["all_frozen"] = not any(p.requires_grad for p in params)
            ctx["frozen_count"] = len(params)
        last = list(self.last_model.module.parameters()) if self.last_model is not None else []
        if last and not any(p.requires_grad for p in last):
            # the model that made the loss has nothing to train, whatever other models hold
            ctx["all_frozen"] = True
            ctx["frozen_count"] = len(last)
        ctx["step_after_forward"] = self.last_step_tick > self.last_forward_tick >= 0
        for det in self.detectors:
            try:
                det.crash_context(ctx)
            except Exception as err:
                self._internal(err)
        loc = innermost_user_location(exc.__traceback__)
        text = plain_text(str(exc)).strip()
        self.crash = {"type": type(exc).__name__, "message": text.splitlines()[0] if text else "",
                      "location": loc.to_dict() if loc else None}
        finding = explain_exception(exc, ctx)
        if finding is None:
            return None
        self.crash["id"] = finding.id
        existing = self.warnings_of(finding.id)
        if existing:
            existing[0].evidence["crashed_with"] = finding.evidence.get("error")
            existing[0].message += plain_text(note("crashed_with", error=finding.evidence.get("error")))
            return existing[0]
        self._findings[(finding.id, "crash")] = finding
        self._order.append((finding.id, "crash"))
        return finding

    # ------------------------------------------------------------------ finalisation
    def finalize(self) -> list[Finding]:
        if self._final is not None:
            return self._final
        if self._installed:
            self.uninstall()
        self.finalized = True
        self._suspend += 1
        try:
            obs: dict[str, Any] = {"loop": {}}
            for det in self.detectors:
                try:
                    det.finish(obs)
                except Exception as exc:  # never lose the findings already gathered
                    self._internal(exc)
            for det in self.detectors:
                try:
                    det.settle(obs)
                except Exception as exc:
                    self._internal(exc)
            if self.cut_short:
                obs["loop"]["cut_short"] = self.cut_short
                obs["loop"]["fast_forward_step"] = self.fast_forward_step
            first = [k for k in _OBSERVATION_ORDER if k in obs]
            self.observations = {k: obs[k] for k in first + [k for k in obs if k not in first]}
        finally:
            self._suspend -= 1
        rank = {p: i for i, p in enumerate(PHASE_IDS)}
        ordered = sorted((self._findings[k] for k in self._order), key=lambda f: rank.get(f.phase, 9))
        warnings = [f for f in ordered if f.is_warning]
        infos = [f for f in ordered if not f.is_warning]
        self._final = warnings + infos
        return self._final


def instrument(**kwargs: Any) -> Probe:
    """A :class:`Probe` to use as a context manager: ``with instrument() as session: ...``."""
    return Probe(**kwargs)

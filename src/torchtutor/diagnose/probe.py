"""Runtime probes: what a PyTorch program actually does, observed through hooks.

A :class:`Probe` installs, for as long as it is active:

* global module forward pre/post hooks (depth tracking, the top-level model calls, train/eval
  and grad mode of every forward, Linear-after-Linear, device of inputs vs parameters,
  layers built inside forward, ``model.forward(x)`` called directly);
* a hook on the ``grad_fn`` of each model output (did any backward pass reach it?) and a
  finaliser in the node's metadata (was the graph freed without one?);
* global optimizer step pre/post hooks, and wrappers on ``zero_grad`` (order of clear,
  compute, use; the step budget);
* a wrapper on ``torch.autograd.backward`` (shape of the root, the loss history, a walk of
  the ``grad_fn`` chain down to the parameters at sampled steps);
* tensor hooks and post-accumulate-grad hooks on the parameters during the first backward
  passes (per-layer gradient norms, gradients that were never cleared);
* wrappers on the loss functions of ``torch.nn.functional`` (softmax before the loss,
  target dtype and shape, broadcasting, loss against accuracy);
* wrappers on ``torch.save``/``torch.load`` and ``load_state_dict`` (whole-model pickles,
  resuming without the optimizer state), on DataLoader iteration (shuffling, and the
  fast-forward that lets a long script reach its evaluation code), and, during the first
  steps only, on ``Tensor.view``/``reshape``.

Everything is evidence from the running program, never from its source text or its
variable names. Per-step work is a few integer updates and cheap attribute reads; anything
that needs a device sync runs only at the first iterations and at sampled steps.
"""

from __future__ import annotations

import math
import sys
import time
import weakref
from typing import Any, Callable

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, SequentialSampler
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from torch.utils.data import dataloader as _dl_module

from .catalogue import PHASE_IDS
from .crash import explain_exception
from .findings import INFO, WARNING, Finding, Location, innermost_user_location, is_user_file, user_location

_MODULE_PY = nn.Module._call_impl.__code__.co_filename
_DROPOUT = (nn.modules.dropout._DropoutNd,)
_BATCHNORM = (nn.modules.batchnorm._BatchNorm,)
_LOSS_BASE = nn.modules.loss._Loss

# grad_fn names (without the trailing version digit) that only move or copy values
_SHAPE_ONLY = {
    "ViewBackward", "ReshapeAliasBackward", "UnsafeViewBackward", "CloneBackward", "ToCopyBackward",
    "SqueezeBackward", "UnsqueezeBackward", "ExpandBackward", "AliasBackward", "PermuteBackward",
    "TransposeBackward", "TBackward", "SliceBackward", "SelectBackward",
}
# ... plus those that keep a map linear (dropout scales by a constant mask)
_LINEAR_PASS = _SHAPE_ONLY | {"NativeDropoutBackward", "MulBackward"}

_CLASSIFICATION_LOSSES = ("cross_entropy", "nll_loss")
_ELEMENTWISE_LOSSES = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                       "binary_cross_entropy_with_logits")
_LOSS_LABEL = {
    "cross_entropy": "CrossEntropyLoss", "nll_loss": "NLLLoss", "mse_loss": "MSELoss", "l1_loss": "L1Loss",
    "smooth_l1_loss": "SmoothL1Loss", "huber_loss": "HuberLoss", "binary_cross_entropy": "BCELoss",
    "binary_cross_entropy_with_logits": "BCEWithLogitsLoss",
}

_ACTIVE: "Probe | None" = None


class StopRun(BaseException):
    """Raised from a probe hook to end a run whose step or time budget is spent.

    A BaseException, so that ``except Exception`` in the user's code lets it through.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _base(name: str) -> str:
    return name.rstrip("0123456789")


def _first_tensor(obj: Any) -> torch.Tensor | None:
    if isinstance(obj, torch.Tensor):
        return obj
    if isinstance(obj, (tuple, list)):
        for item in obj:
            if isinstance(item, torch.Tensor):
                return item
    if isinstance(obj, dict):
        for item in obj.values():
            if isinstance(item, torch.Tensor):
                return item
    return None


def _fmt(x: float) -> str:
    if x != x or x in (math.inf, -math.inf):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-3:
        return f"{x:.2e}"
    return f"{x:.4g}"


def _shape(t: torch.Tensor) -> list[int]:
    return [int(d) for d in t.shape]


def _dtype(t: torch.Tensor) -> str:
    return str(t.dtype).replace("torch.", "")


# --------------------------------------------------------------------------- records
class _Model:
    __slots__ = (
        "module", "name", "index", "names", "pnames", "stoch", "has_bn", "order", "order_ids",
        "calls", "grad_calls", "first_input", "first_loc", "trained", "loaded", "train_active_seen",
        "e_total", "e_grad", "e_grad_samples", "e_active", "e_mixed", "e_repeat", "e_bn",
        "e_loc", "e_grad_loc", "e_active_loc", "last_key", "eval_in_train", "eval_in_train_loc",
        "eval_in_train_tick",
        "first_param", "input_shapes",
    )

    def __init__(self, module: nn.Module, index: int):
        self.module = module
        self.name = type(module).__name__
        self.index = index
        self.names = {id(sub): (qn or self.name) for qn, sub in module.named_modules()}
        self.pnames = {id(p): qn for qn, p in module.named_parameters()}
        self.stoch = [sub for sub in module.modules() if isinstance(sub, _DROPOUT + _BATCHNORM)]
        self.has_bn = any(isinstance(sub, _BATCHNORM) for sub in self.stoch)
        self.order: list[str] = []
        self.order_ids: set[int] = set()
        self.calls = 0
        self.grad_calls = 0
        self.first_input: list[torch.Tensor] | None = None
        self.first_loc: Location | None = None
        self.trained = False
        self.loaded = False
        self.train_active_seen = False
        self.e_total = self.e_grad = self.e_grad_samples = self.e_active = 0
        self.e_mixed = self.e_repeat = self.e_bn = 0
        self.e_loc: Location | None = None
        self.e_grad_loc: Location | None = None
        self.e_active_loc: Location | None = None
        self.last_key: tuple | None = None
        self.eval_in_train = 0
        self.eval_in_train_loc: Location | None = None
        self.eval_in_train_tick = -1  # clock of the first such forward
        self.first_param = next(module.parameters(), None)
        self.input_shapes: list[list[int]] = []


class _Child:
    """A submodule that runs outside any hooked call because its parent's forward was
    called directly."""

    __slots__ = ("owner",)

    def __init__(self, owner: nn.Module):
        self.owner = owner


class _Fwd:
    __slots__ = ("probe", "model", "eligible", "active", "mixed", "bn", "repeat", "training", "loc",
                 "samples", "reached", "done", "metric")

    def __init__(self, probe, model, eligible, active, mixed, bn, repeat, training, loc, samples):
        self.probe = probe
        self.model = model
        self.eligible = eligible
        self.active = active
        self.mixed = mixed
        self.bn = bn
        self.repeat = repeat
        self.training = training
        self.loc = loc
        self.samples = samples
        self.reached = False
        self.done = False
        self.metric = False

    def reach(self, grad_outputs):  # grad_fn pre-hook: a backward pass got here
        if not self.reached:
            self.reached = True
            try:
                self.probe._fwd_reached(self)
            except Exception as exc:  # a probe must never break the program
                self.probe._internal(exc)
        return None


class _FwdSentinel:
    __slots__ = ("fwd",)

    def __init__(self, fwd: _Fwd):
        self.fwd = fwd

    def __del__(self):
        fwd = self.fwd
        probe = fwd.probe
        if not fwd.done and probe is not None and not probe._finalized:
            fwd.done = True
            try:
                probe._fwd_freed(fwd)
            except Exception:
                pass


class _LossSentinel:
    """Lives in a loss node's metadata: counts, per step of birth, the loss graphs alive."""

    __slots__ = ("probe", "birth")

    def __init__(self, probe, birth: int):
        self.probe = probe
        self.birth = birth
        live = probe._live_losses
        live[birth] = live.get(birth, 0) + 1

    def __del__(self):
        live = self.probe._live_losses
        n = live.get(self.birth, 0) - 1
        if n > 0:
            live[self.birth] = n
        else:
            live.pop(self.birth, None)


class _Opt:
    __slots__ = ("opt", "cls", "loc", "steps", "last_zero_tick", "last_step_tick", "empty_steps",
                 "empty_first", "empty_loc", "wiped", "loaded_tick", "sig", "ids", "rg_history",
                 "frozen_steps", "frozen_loc")

    def __init__(self, opt, loc):
        self.opt = opt
        self.cls = type(opt).__name__
        self.loc = loc
        self.steps = 0
        self.last_zero_tick = 0
        self.last_step_tick = 0
        self.empty_steps = 0
        self.empty_first = False
        self.empty_loc: Location | None = None
        self.wiped = 0
        self.loaded_tick = 0
        self.sig: tuple | None = None
        self.ids: set[int] = set()
        self.rg_history: list[tuple[int, int, int]] = []
        self.frozen_steps = 0
        self.frozen_loc: Location | None = None

    def param_ids(self) -> set[int]:
        groups = self.opt.param_groups
        sig = (len(groups), sum(len(g["params"]) for g in groups))
        if sig != self.sig:
            self.sig = sig
            self.ids = {id(p) for g in groups for p in g["params"]}
        return self.ids


class _PState:
    __slots__ = ("name", "fresh", "prev", "version", "steps", "first_norm", "numel", "shape", "handles")

    def __init__(self, name: str, p: torch.Tensor):
        self.name = name
        self.fresh = None
        self.prev = None
        self.version = 0
        self.steps = 0
        self.first_norm = None
        self.numel = p.numel()
        self.shape = _shape(p)
        self.handles: list = []


class _Loader:
    __slots__ = ("ref", "sequential", "custom", "dataset_len", "batch_size", "loc", "batches", "steps", "passes")

    def __init__(self, loader: DataLoader, loc: Location | None):
        self.ref = weakref.ref(loader)
        sampler = getattr(loader, "sampler", None)
        self.sequential = isinstance(sampler, SequentialSampler)
        batch_sampler = getattr(loader, "batch_sampler", None)
        self.custom = batch_sampler is not None and type(batch_sampler).__name__ != "BatchSampler"
        try:
            self.dataset_len = len(loader.dataset)
        except Exception:
            self.dataset_len = None
        self.batch_size = getattr(loader, "batch_size", None)
        self.loc = loc
        self.batches = 0
        self.steps = 0
        self.passes = 0


class _IterState:
    __slots__ = ("loader", "ff_served")

    def __init__(self, loader: _Loader):
        self.loader = loader
        self.ff_served = 0


class _Built:
    __slots__ = ("cls", "loc", "count", "params", "last", "param_refs")

    def __init__(self, cls: str, loc: Location | None):
        self.cls = cls
        self.loc = loc
        self.count = 0
        self.params = False
        self.last = None
        self.param_refs: list = []


class _Loaded:
    __slots__ = ("path", "tick", "has_opt", "has_epoch", "saved_here", "loc", "obj")

    def __init__(self, path, tick, has_opt, has_epoch, saved_here, loc, obj):
        self.path = path
        self.tick = tick
        self.has_opt = has_opt
        self.has_epoch = has_epoch
        self.saved_here = saved_here
        self.loc = loc
        self.obj = obj


# --------------------------------------------------------------------------- the probe
class Probe:
    """Instruments PyTorch for the duration of a ``with`` block (or install/uninstall).

    Parameters
    ----------
    max_steps, max_seconds
        Budget. When spent, the run is fast-forwarded (if ``fast_forward``) or stopped by
        raising :class:`StopRun` from the next hook. ``None``: unlimited.
    fast_forward
        After the budget (or half the time budget) is used, let each pass over a
        DataLoader yield one more batch only, so the script reaches its evaluation code.
    monitor
        Number of backward passes with full per-parameter monitoring at the start.
    sample_every
        Step interval for the sampled gradient-norm and graph checks later on.
    summary
        Run torchinfo on each model at finalisation (the doctor does; checkers need not).
    """

    def __init__(self, *, max_steps: int | None = None, max_seconds: float | None = None,
                 fast_forward: bool = False, monitor: int = 5, sample_every: int = 100,
                 summary: bool = False):
        self.max_steps = max_steps
        self.max_seconds = max_seconds
        self.fast_forward = fast_forward
        self.monitor = max(2, monitor)
        self.sample_every = max(1, sample_every)
        self.summary = summary

        self._installed = False
        self._finalized = False
        self._suspend = 0
        self._depth = 0
        self._tick = 0
        self._t0 = time.monotonic()
        self._deadline: float | None = None
        self._ff_time: float | None = None
        self._ff = False
        self._hard_steps: int | None = None
        self.cut_short: str | None = None
        self.fast_forward_step: int | None = None

        self.n_steps = 0
        self.n_backward = 0
        self.n_zero_grad = 0
        self.n_forward = 0
        self._events: list[str] = []
        self._last_bw_tick = 0
        self._module_zero_tick = 0
        self._last_forward_tick = -1
        self._last_step_tick = -1

        self._kinds: "weakref.WeakKeyDictionary[nn.Module, Any]" = weakref.WeakKeyDictionary()
        self._models: list[_Model] = []
        self._cur_fwd: _Fwd | None = None
        self._pending: list[_Fwd] = []
        self._deep: _Model | None = None
        self._deep_owner: nn.Module | None = None
        self._direct_params: dict[int, bool] = {}

        self._opts: dict[int, _Opt] = {}
        self._pstates: dict[int, tuple[torch.Tensor, _PState]] = {}
        self._hooks_removed = False
        self._reached: list[torch.Tensor] = []
        self._reached_fresh = False
        self._walk_next = False
        self._first_versions: dict[int, tuple[torch.Tensor, int]] = {}

        self._live_losses: dict[int, int] = {}
        self._max_live = 0
        self._max_live_step = 0
        self._polluted: dict[int, tuple[_PState, float, float]] = {}
        self._loss_vals: list[tuple[int, torch.Tensor]] = []
        self._loss_stride = 1
        self._last_backward_shape: tuple | None = None
        self._backward_loc: Location | None = None

        self._loss_calls: dict[str, int] = {}
        self._last_loss: tuple | None = None
        self._last_loss_grad: bool | None = None
        self._ce: list[tuple] = []
        self._ce_train_calls = 0
        self._ce_eval_calls = 0
        self._ce_stride = 1
        self._batch_classes: list[tuple[int, int]] = []
        self._grad_samples: list[tuple[int, list[str], Any]] = []

        self._loaders: "weakref.WeakKeyDictionary[DataLoader, _Loader]" = weakref.WeakKeyDictionary()
        self._loader_list: list[_Loader] = []
        self._cur_loader: _Loader | None = None

        self._built: dict[tuple, _Built] = {}
        self._building: dict[int, _Built] = {}
        self._fwd_params: dict[int, Any] = {}

        self._saved: dict[str, str] = {}
        self._loaded: dict[int, _Loaded] = {}
        self._model_loads: list[tuple[nn.Module, _Loaded, int]] = []

        self._findings: dict[tuple, Finding] = {}
        self._order: list[tuple] = []
        self._final: list[Finding] | None = None
        self.observations: dict[str, Any] = {}
        self.crash: dict[str, Any] | None = None
        self.crash_context: dict[str, Any] = {}
        self.internal_errors: list[str] = []

        self._patches: list[tuple[Any, str, Any, bool]] = []
        self._handles: list[Any] = []
        self._view_on = False
        self._nonleaf_seen = False

    # ------------------------------------------------------------------ lifecycle
    def install(self) -> "Probe":
        global _ACTIVE
        if _ACTIVE is not None:
            raise RuntimeError("another torchtutor probe is already installed in this process")
        _ACTIVE = self
        self._installed = True
        self._t0 = time.monotonic()
        if self.max_seconds:
            self._deadline = self._t0 + self.max_seconds
            if self.fast_forward:
                self._ff_time = self._t0 + self.max_seconds * 0.5
        mm = nn.modules.module
        self._handles.append(mm.register_module_forward_pre_hook(self._fwd_pre))
        self._handles.append(mm.register_module_forward_hook(self._fwd_post, always_call=True))
        self._handles.append(mm.register_module_parameter_registration_hook(self._param_registered))
        self._handles.append(register_optimizer_step_pre_hook(self._step_pre))
        self._handles.append(register_optimizer_step_post_hook(self._step_post))
        self._patch(torch.autograd, "backward", _make_backward(torch.autograd.backward))
        F = torch.nn.functional
        for name in _CLASSIFICATION_LOSSES + _ELEMENTWISE_LOSSES:
            self._patch(F, name, _make_loss(name, getattr(F, name)))
        self._patch(nn.Module, "__init__", _make_module_init(nn.Module.__init__))
        self._patch(nn.Module, "zero_grad", _make_module_zero_grad(nn.Module.zero_grad))
        self._patch(nn.Module, "load_state_dict", _make_module_load(nn.Module.load_state_dict))
        opt_cls = torch.optim.Optimizer
        self._patch(opt_cls, "__init__", _make_opt_init(opt_cls.__init__))
        self._patch(opt_cls, "zero_grad", _make_opt_zero_grad(opt_cls.zero_grad))
        self._patch(opt_cls, "load_state_dict", _make_opt_load(opt_cls.load_state_dict))
        self._patch(torch, "save", _make_save(torch.save))
        self._patch(torch, "load", _make_load(torch.load))
        self._patch(DataLoader, "__init__", _make_dl_init(DataLoader.__init__))
        self._patch(DataLoader, "__iter__", _make_dl_iter(DataLoader.__iter__))
        base_iter = _dl_module._BaseDataLoaderIter
        self._patch(base_iter, "__next__", _make_dl_next(base_iter.__next__))
        self._view_window(True)
        return self

    def _patch(self, owner: Any, name: str, new: Any) -> None:
        had_own = name in getattr(owner, "__dict__", {})
        old = owner.__dict__[name] if had_own else getattr(owner, name)
        setattr(owner, name, new)
        self._patches.append((owner, name, old, had_own))

    def _view_window(self, on: bool) -> None:
        """Wrappers that cost something on every call, kept for the first steps only:
        Tensor.view/reshape (reordered dimensions) and the Tensor.grad property (.grad read
        on a tensor that an update with tracking on turned into a non-leaf)."""
        if on and not self._view_on:
            self._view_on = True
            self._patch(torch.Tensor, "view", _make_reshape(torch.Tensor.view))
            self._patch(torch.Tensor, "reshape", _make_reshape(torch.Tensor.reshape))
            self._patch(torch, "reshape", _make_reshape(torch.reshape))
            self._patch(torch.Tensor, "grad", _make_grad_property(torch._C.TensorBase.__dict__["grad"]))
        elif not on and self._view_on:
            self._view_on = False
            keep = []
            for owner, name, old, had_own in self._patches:
                if (owner is torch.Tensor and name in ("view", "reshape", "grad")) or \
                        (owner is torch and name == "reshape"):
                    _restore(owner, name, old, had_own)
                else:
                    keep.append((owner, name, old, had_own))
            self._patches = keep

    def uninstall(self) -> None:
        global _ACTIVE
        if not self._installed:
            return
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        for owner, name, old, had_own in reversed(self._patches):
            _restore(owner, name, old, had_own)
        self._patches.clear()
        self._view_on = False
        self._remove_param_hooks()
        self._installed = False
        if _ACTIVE is self:
            _ACTIVE = None

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
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.is_warning]

    @property
    def infos(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_warning]

    @property
    def ids(self) -> set[str]:
        """The ids of the warnings."""
        return {f.id for f in self.warnings}

    def has(self, mistake_id: str) -> bool:
        return mistake_id in self.ids

    # ------------------------------------------------------------------ recording
    def _internal(self, exc: BaseException) -> None:
        if len(self.internal_errors) < 20:
            self.internal_errors.append(f"{type(exc).__name__}: {exc}")

    def _add(self, mid: str, severity: str, message: str, evidence: dict | None = None,
             location: Location | None = None, key: Any = None, fix: str = "") -> Finding:
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

    def _has(self, mid: str, severity: str | None = WARNING) -> bool:
        return any(k[0] == mid and (severity is None or f.severity == severity) for k, f in self._findings.items())

    def _event(self, code: str) -> None:
        if len(self._events) < 120:
            self._events.append(code)

    # ------------------------------------------------------------------ budget
    def _progress(self) -> int:
        return self.n_steps if self.n_steps else self.n_backward

    def _budget(self) -> None:
        if self._deadline is None and self.max_steps is None:
            return
        now = time.monotonic()
        if self._deadline is not None and now >= self._deadline:
            self.cut_short = self.cut_short or "max-seconds"
            raise StopRun("max-seconds")
        steps = self._progress()
        if not self._ff:
            if self.max_steps is not None and steps >= self.max_steps:
                self._begin_ff("max-steps")
            elif self._ff_time is not None and now >= self._ff_time:
                self._begin_ff("max-seconds")
        elif self._hard_steps is not None and steps >= self._hard_steps:
            raise StopRun(self.cut_short or "max-steps")

    def _begin_ff(self, reason: str) -> None:
        training_loader = any(rec.steps > 0 for rec in self._loader_list)
        if reason == "max-seconds" and not (self.fast_forward and training_loader):
            # half the time is gone but there is nothing to shorten: run on until the deadline
            self._ff_time = None
            return
        self.cut_short = reason
        self.fast_forward_step = self._progress()
        if not self.fast_forward or not training_loader:
            raise StopRun(reason)
        self._ff = True
        self._hard_steps = self._progress() + 10_000  # the deadline is the real limit now

    def request_stop(self, reason: str = "max-seconds") -> None:
        """Called from a signal handler in the main thread: end the run now."""
        self.cut_short = self.cut_short or reason
        raise StopRun(reason)

    # ------------------------------------------------------------------ module hooks
    def _fwd_pre(self, mod: nn.Module, args: tuple) -> None:
        if self._suspend:
            return None
        d = self._depth
        self._depth = d + 1
        try:
            if d == 0:
                self._top_call(mod, args)
            elif self._deep is not None:
                self._deep_call(mod, args)
        except StopRun:
            raise
        except Exception as exc:
            self._internal(exc)
        return None

    def _fwd_post(self, mod: nn.Module, args: tuple, out: Any) -> None:
        if self._suspend:
            return None
        d = self._depth - 1
        self._depth = d if d > 0 else 0
        try:
            if d <= 0:
                fr = self._cur_fwd
                if fr is not None and fr.model.module is mod:
                    self._cur_fwd = None
                    self._top_out(fr, out)
                if self._deep_owner is mod:
                    self._deep = None
                    self._deep_owner = None
            elif self._deep is not None and isinstance(mod, nn.Linear):
                t = _first_tensor(out)
                if t is not None and t.grad_fn is not None:
                    name = self._deep.names.get(id(mod), type(mod).__name__)
                    t.grad_fn.metadata["torchtutor.linear"] = (name, mod.in_features, mod.out_features)
        except Exception as exc:
            self._internal(exc)
        return None

    def _classify(self, mod: nn.Module) -> Any:
        if isinstance(mod, _LOSS_BASE) or next(mod.parameters(), None) is None:
            kind: Any = False
        else:
            owner = self._direct_forward_owner(mod)
            if owner is not None:
                kind = _Child(owner)
            else:
                kind = _Model(mod, len(self._models))
                self._models.append(kind)
                for other in self._model_loads:
                    if other[0] is mod:
                        kind.loaded = True
        self._kinds[mod] = kind
        return kind

    def _direct_forward_owner(self, mod: nn.Module) -> nn.Module | None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename in (_MODULE_PY, __file__):
            frame = frame.f_back
        if frame is None or frame.f_code.co_name != "forward":
            return None
        owner = frame.f_locals.get("self")
        if not isinstance(owner, nn.Module) or owner is mod:
            return None
        if not any(child is mod for child in owner._modules.values()):
            return None
        loc = user_location(frame.f_back) if frame.f_back is not None else None
        self._add(
            "forward-called-directly", WARNING,
            f"{type(owner).__name__}.forward() was called directly instead of calling the module "
            f"itself: its submodule {type(mod).__name__} ran with no enclosing module call. "
            "model(x) runs forward() together with the hooks that PyTorch and its tools rely on; "
            "model.forward(x) silently skips them.",
            {"module": type(owner).__name__, "submodule": type(mod).__name__},
            loc, key=type(owner).__name__,
        )
        return owner

    def _top_call(self, mod: nn.Module, args: tuple) -> None:
        kind = self._kinds.get(mod)
        if kind is None:
            kind = self._classify(mod)
        if kind is False or isinstance(kind, _Child):
            return
        self._budget()
        m: _Model = kind
        m.calls += 1
        self.n_forward += 1
        self._last_forward_tick = self._tick
        self._event("F")
        x = _first_tensor(args)
        grad = torch.is_grad_enabled()
        if m.calls <= 3 and x is not None:
            self._check_device(m, x)
        if m.calls == 1:
            m.first_loc = user_location()
            tensors = [a for a in args if isinstance(a, torch.Tensor)]
            m.input_shapes = [_shape(t) for t in tensors]
            if tensors and len(tensors) == len(args):
                m.first_input = [t.detach()[:2].clone() if t.dim() > 0 else t.detach().clone() for t in tensors]
        if grad and m.grad_calls < 2 and self._deep is None:
            m.grad_calls += 1
            self._deep = m
            self._deep_owner = mod
        # train/eval bookkeeping
        eligible = m.trained or m.loaded
        loc = None
        if eligible:
            frame = sys._getframe(2)
            while frame is not None and frame.f_code.co_filename == _MODULE_PY:
                frame = frame.f_back
            if frame is None or not is_user_file(frame.f_code.co_filename):
                eligible = False
            else:
                loc = Location(frame.f_code.co_filename, frame.f_lineno)
        active = mixed = bn = False
        if m.stoch:
            flags = [s.training for s in m.stoch]
            active = any(flags)
            if active:
                mixed = (not mod.training) or not all(flags)
                bn = any(s.training for s in m.stoch if isinstance(s, _BATCHNORM))
        repeat = metric = False
        if eligible and m.stoch and x is not None:
            # the previous input is kept alive, so an equal address really is the same data
            last = m.last_key
            if last is not None:
                last_x, last_fr = last
                try:
                    same = (last_x.data_ptr() == x.data_ptr() and last_x.shape == x.shape
                            and last_x.stride() == x.stride() and last_x._version == x._version)
                except Exception:
                    same = last_x is x
                if same:
                    # again the batch a training step just used: a metric on the training batch;
                    # again the input of an evaluation pass: sampling (Monte Carlo dropout)
                    metric = last_fr.reached
                    repeat = not last_fr.reached
        samples = int(x.shape[0]) if x is not None and x.dim() > 0 else 1
        fr = _Fwd(self, m, eligible, active, mixed, bn, repeat, mod.training, loc, samples)
        fr.metric = metric
        if m.stoch and x is not None:
            m.last_key = (x, fr)
        if grad:
            self._cur_fwd = fr
        elif eligible:
            self._count_eval(fr, with_grad=False)

    def _top_out(self, fr: _Fwd, out: Any) -> None:
        t = _first_tensor(out)
        node = t.grad_fn if t is not None else None
        if node is None:
            if fr.eligible:
                self._count_eval(fr, with_grad=False)
            return
        node.register_prehook(fr.reach)
        node.metadata["torchtutor.forward"] = _FwdSentinel(fr)
        if fr.eligible:
            self._pending.append(fr)
            if len(self._pending) > 256:
                self._pending = [f for f in self._pending if not f.done and not f.reached]

    def _fwd_reached(self, fr: _Fwd) -> None:
        m = fr.model
        m.trained = True
        if not m.stoch:
            return
        if fr.active and fr.training:
            m.train_active_seen = True
        elif not fr.training and m.train_active_seen:
            m.eval_in_train += 1
            if m.eval_in_train_loc is None:
                m.eval_in_train_loc = fr.loc
                m.eval_in_train_tick = self._tick

    def _fwd_freed(self, fr: _Fwd) -> None:
        if not fr.reached and fr.eligible:
            self._count_eval(fr, with_grad=True)

    def _count_eval(self, fr: _Fwd, with_grad: bool) -> None:
        fr.done = True
        m = fr.model
        m.e_total += 1
        if m.e_loc is None:
            m.e_loc = fr.loc
        if with_grad:
            m.e_grad += 1
            m.e_grad_samples += fr.samples
            if m.e_grad_loc is None:
                m.e_grad_loc = fr.loc
        if fr.active and not fr.metric:
            m.e_active += 1
            if fr.mixed:
                m.e_mixed += 1
            if fr.bn:
                m.e_bn += 1
            if fr.repeat:
                m.e_repeat += 1
            if m.e_active_loc is None:
                m.e_active_loc = fr.loc

    def _check_device(self, m: _Model, x: torch.Tensor) -> None:
        p = m.first_param
        if p is None or p.device == x.device:
            return
        loc = user_location()
        self._add(
            "device-mismatch", WARNING,
            f"{m.name} has its parameters on {p.device} but received an input on {x.device}. One "
            "operation cannot mix devices: move each batch to the model's device "
            "(x = x.to(device)) or the model to the data's.",
            {"module": m.name, "parameters_on": str(p.device), "input_on": str(x.device),
             "input_shape": _shape(x)},
            loc, key=m.name,
        )

    def _deep_call(self, mod: nn.Module, args: tuple) -> None:
        m = self._deep
        mid = id(mod)
        has = self._direct_params.get(mid)
        if has is None:
            has = any(v is not None for v in mod._parameters.values())
            self._direct_params[mid] = has
        if has and mid not in m.order_ids:
            m.order_ids.add(mid)
            m.order.append(m.names.get(mid, type(mod).__name__))
        if isinstance(mod, nn.Linear):
            x = _first_tensor(args)
            if x is not None and x.grad_fn is not None:
                self._check_linear_chain(m, mod, x)

    def _check_linear_chain(self, m: _Model, mod: nn.Linear, x: torch.Tensor) -> None:
        fn = x.grad_fn
        for _ in range(8):
            if fn is None:
                return
            tag = fn.metadata.get("torchtutor.linear")
            if tag is not None:
                break
            if _base(fn.name()) not in _LINEAR_PASS:
                return
            nexts = [n for n, _ in fn.next_functions if n is not None and _base(n.name()) != "AccumulateGrad"]
            if len(nexts) != 1:
                return
            fn = nexts[0]
        else:
            return
        prev_name, a, b = tag
        name = m.names.get(id(mod), type(mod).__name__)
        c = mod.out_features
        pair = f"{prev_name} -> {name}"
        evidence = {"model": m.name, "first": f"{prev_name}: Linear({a}, {b})",
                    "second": f"{name}: Linear({b}, {c})", "middle_width": b}
        loc = user_location()
        if b < min(a, c):
            self._add(
                "linear-collapse", INFO,
                f"{prev_name} (Linear {a}->{b}) feeds {name} (Linear {b}->{c}) with no activation "
                f"between them. The middle width {b} is smaller than both ends, so this is a rank-{b} "
                "factorisation of one linear map, which is a legitimate way to save parameters; "
                "no warning.",
                evidence, loc, key=pair,
            )
        else:
            self._add(
                "linear-collapse", WARNING,
                f"{prev_name} (Linear {a}->{b}) feeds {name} (Linear {b}->{c}) directly: nothing "
                "non-linear sits between them, so together they compute a single linear map "
                f"{a}->{c}. The {a * b + b:,} parameters of the first layer buy no extra "
                "expressive power; put an activation such as nn.ReLU() between them.",
                evidence, loc, key=pair,
            )

    # ------------------------------------------------------------------ construction
    def _module_built(self, mod: nn.Module) -> None:
        loc = user_location()
        key = (type(mod).__name__, (loc.file, loc.line) if loc else None)
        rec = self._built.get(key)
        if rec is None:
            rec = self._built[key] = _Built(type(mod).__name__, loc)
        rec.count += 1
        rec.last = weakref.ref(mod)
        self._building = {id(mod): rec}

    def _param_registered(self, module: nn.Module, name: str, param: Any) -> None:
        if self._suspend or self._depth == 0 or param is None:
            return None
        rec = self._building.get(id(module))
        if rec is not None and rec.last is not None and rec.last() is module:
            rec.params = True
            try:
                ref = weakref.ref(param)
            except TypeError:
                return None
            self._fwd_params[id(param)] = ref
            if len(self._fwd_params) > 4096:
                self._fwd_params = {k: r for k, r in self._fwd_params.items() if r() is not None}
            if len(rec.param_refs) < 8:
                rec.param_refs.append(ref)
        return None

    # ------------------------------------------------------------------ optimizer
    def _opt_rec(self, opt: torch.optim.Optimizer) -> _Opt:
        rec = self._opts.get(id(opt))
        if rec is None or rec.opt is not opt:
            rec = self._opts[id(opt)] = _Opt(opt, None)
        return rec

    def _opt_created(self, opt: torch.optim.Optimizer) -> None:
        rec = self._opt_rec(opt)
        rec.loc = user_location()

    def _step_pre(self, opt, args, kwargs) -> None:
        if self._suspend:
            return None
        self._budget()
        try:
            o = self._opt_rec(opt)
            self._tick += 1
            # args holds the optimizer itself first, then step()'s own arguments
            closure = (len(args) > 1 and args[1] is not None) or bool(kwargs and kwargs.get("closure") is not None)
            if not closure:
                zero_tick = max(o.last_zero_tick, self._module_zero_tick)
                if not self._last_bw_tick > max(zero_tick, o.last_step_tick):
                    o.empty_steps += 1
                    if o.steps == 0:
                        o.empty_first = True
                    if zero_tick > self._last_bw_tick > o.last_step_tick:
                        o.wiped += 1
                    if o.empty_loc is None:
                        o.empty_loc = user_location()
            if self._cur_loader is not None:
                self._cur_loader.steps += 1
            if self._polluted:
                self._check_polluted(o)
            self._event("S")
            if o.steps < 3 or o.steps % 10 == 0:
                self._inspect_step(o)
            if self.n_steps + 1 in (1, 10) or (self.n_steps + 1) % self.sample_every == 0:
                self._sample_grads(o)
            o.steps += 1
            self.n_steps += 1
            if self._view_on and self.n_steps >= 20:
                self._view_window(False)
            o.last_step_tick = self._tick
            self._last_step_tick = self._tick
        except StopRun:
            raise
        except Exception as exc:
            self._internal(exc)
        return None

    def _step_post(self, opt, args, kwargs) -> None:
        if self._suspend:
            return None
        n = self.n_steps
        if self._max_live < 3 and (n <= 50 or n % 10 == 0):
            # loss graphs born more than two steps ago that something still holds on to
            old = sum(c for birth, c in list(self._live_losses.items()) if birth < n - 2)
            if old > self._max_live:
                self._max_live = old
                self._max_live_step = n
        return None

    def _inspect_step(self, o: _Opt) -> None:
        params = [p for g in o.opt.param_groups for p in g["params"]]
        trainable = sum(1 for p in params if p.requires_grad)
        hist = o.rg_history
        if not hist or hist[-1][1:] != (trainable, len(params)):
            if hist:
                self._walk_next = True
            hist.append((self.n_steps, trainable, len(params)))
        if params and trainable == 0:
            o.frozen_steps += 1
            if o.frozen_loc is None:
                o.frozen_loc = user_location()
        if self._reached_fresh:
            self._reached_fresh = False
            self._check_missing_params()

    def _built_in_forward(self, p: torch.Tensor) -> bool:
        ref = self._fwd_params.get(id(p))
        return ref is not None and ref() is p

    def _all_opt_ids(self) -> set[int]:
        ids: set[int] = set()
        for rec in self._opts.values():
            ids |= rec.param_ids()
        return ids

    def _check_missing_params(self) -> None:
        if not self._opts:
            return
        in_opt = self._all_opt_ids()
        missing = [p for p in self._reached
                   if isinstance(p, nn.Parameter) and id(p) not in in_opt and not self._built_in_forward(p)]
        if not missing:
            return
        names = [self._pname(p) for p in missing]
        total = sum(p.numel() for p in missing)
        self._add(
            "optimizer-missing-params", WARNING,
            f"{len(missing)} parameter tensor(s) ({total:,} values: {', '.join(names[:6])}"
            f"{', ...' if len(names) > 6 else ''}) receive gradients from the loss but belong to no "
            "optimizer, so optimizer.step() never changes them: they keep their random initial "
            "values while the rest of the model trains around them.",
            {"parameters": names, "values": total, "step": self.n_steps},
            self._backward_loc, key="missing",
        )

    def _sample_grads(self, o: _Opt) -> None:
        pairs = [(p, p.grad) for g in o.opt.param_groups for p in g["params"] if p.grad is not None]
        pairs = [(p, g) for p, g in pairs if not g.is_sparse]
        if not pairs:
            return
        with torch.no_grad():
            norms = torch._foreach_norm([g for _, g in pairs])
            stacked = torch.stack([n.float().cpu() if n.device.type != "cpu" else n.float() for n in norms])
        if len(self._grad_samples) >= 60:
            del self._grad_samples[1::2]
        self._grad_samples.append((self.n_steps + 1, [self._pname(p) for p, _ in pairs], stacked))

    def _on_zero(self, opt: torch.optim.Optimizer | None) -> None:
        self._tick += 1
        self.n_zero_grad += 1
        self._event("Z")
        if opt is None:
            self._module_zero_tick = self._tick
        else:
            rec = self._opt_rec(opt)
            rec.last_zero_tick = self._tick
            if self._polluted:
                self._unpollute(list(rec.param_ids()))

    # ------------------------------------------------------------------ backward
    def _on_backward(self, tensors: Any, grad: Any) -> None:
        if self.n_steps == 0:
            self._budget()
        root = _first_tensor(tensors) if not isinstance(tensors, torch.Tensor) else tensors
        self.n_backward += 1
        self._tick += 1
        self._last_bw_tick = self._tick
        self._event("B")
        if root is None:
            return
        self._last_backward_shape = tuple(root.shape)
        if self.n_backward <= 3 or self._backward_loc is None:
            self._backward_loc = user_location()
        if grad is None and root.requires_grad and root.numel() != 1:
            self._add(
                "non-scalar-backward", WARNING,
                f"backward() was called on a tensor of shape {_shape(root)} ({root.numel()} numbers). "
                "backward() needs a single number to start from: reduce the per-sample values with "
                ".mean() or .sum() (or keep the loss's default reduction='mean').",
                {"shape": _shape(root)}, user_location(), key="shape",
            )
        if root.numel() == 1:
            n = self.n_backward
            if n <= 50 or n % self._loss_stride == 0:
                self._loss_vals.append((n, root.detach()))
                if len(self._loss_vals) > 600:
                    head, tail = self._loss_vals[:50], self._loss_vals[50:]
                    self._loss_vals = head + tail[::2]
                    self._loss_stride *= 2
        if root.grad_fn is not None:
            self._tag_loss(root.grad_fn)
        if self._view_on and self.n_backward >= 40:
            self._view_window(False)
        if self.n_backward <= self.monitor or self._walk_next or self.n_backward % self.sample_every == 0:
            self._walk_next = False
            self._walk(root)
        elif not self._hooks_removed:
            self._remove_param_hooks()

    def _tag_loss(self, node: Any) -> None:
        md = node.metadata
        if "torchtutor.loss" not in md:
            md["torchtutor.loss"] = _LossSentinel(self, self.n_steps)

    def _walk(self, root: torch.Tensor) -> None:
        leaves: list[torch.Tensor] = []
        if root.grad_fn is None:
            if root.requires_grad:
                leaves.append(root)
        else:
            seen: set[int] = set()
            stack = [root.grad_fn]
            count = 0
            while stack and count < 50000:
                fn = stack.pop()
                if fn is None or id(fn) in seen:
                    continue
                seen.add(id(fn))
                count += 1
                var = getattr(fn, "variable", None)
                if var is not None:
                    leaves.append(var)
                    continue
                for nxt, _ in fn.next_functions:
                    if nxt is not None:
                        stack.append(nxt)
        opt_ids = self._all_opt_ids()
        params = [t for t in leaves if isinstance(t, nn.Parameter) or id(t) in opt_ids]
        self._reached = params
        self._reached_fresh = True
        if not self._first_versions:
            self._first_versions = {id(p): (p, p._version) for p in params}
        if not params and root.requires_grad and (self._models or self._opts):
            how = ("it is a leaf tensor with no history (grad_fn is None), e.g. made by "
                   "torch.tensor(loss.item(), requires_grad=True)" if root.grad_fn is None else
                   f"its graph reaches {len(leaves)} leaf tensor(s), none of them a model parameter")
            self._add(
                "detached-loss", WARNING,
                f"The tensor passed to backward() is not connected to the model: {how}. backward() "
                "runs without error but no parameter receives a gradient, so nothing learns. "
                "Compute the loss from the model's output tensor, without .item(), .detach() or "
                "re-wrapping it in torch.tensor().",
                {"grad_fn": root.grad_fn.name() if root.grad_fn is not None else None, "leaves": len(leaves)},
                self._backward_loc, key="detached",
            )
        if self.n_backward <= self.monitor and not self._hooks_removed:
            watch = params if (self._models or self._opts) else [t for t in leaves if t.requires_grad]
            for p in watch[:256]:
                if id(p) not in self._pstates and p.requires_grad:
                    self._hook_param(p)

    # ------------------------------------------------------------------ parameter hooks
    def _pname(self, p: torch.Tensor) -> str:
        pid = id(p)
        for m in self._models:
            name = m.pnames.get(pid)
            if name is not None:
                return name if len(self._models) == 1 else f"{m.name}.{name}"
        return f"tensor{_shape(p)}"

    def _hook_param(self, p: torch.Tensor) -> None:
        st = _PState(self._pname(p), p)

        def pre(grad, st=st):
            st.fresh = grad
            return None

        def post(param, st=st):
            try:
                self._after_accumulate(param, st)
            except Exception as exc:
                self._internal(exc)

        st.handles = [p.register_hook(pre), p.register_post_accumulate_grad_hook(post)]
        self._pstates[id(p)] = (p, st)

    def _remove_param_hooks(self) -> None:
        self._hooks_removed = True
        self._polluted.clear()  # unconfirmed: no step used them while we could still see clears
        for _, st in self._pstates.values():
            for h in st.handles:
                h.remove()
            st.handles = []
            st.prev = None
            st.fresh = None

    def _after_accumulate(self, p: torch.Tensor, st: _PState) -> None:
        G = p.grad
        if G is None or G.is_sparse:
            return
        pending = self._polluted.get(id(p))
        if pending is not None and p._version != st.version:
            # a hand-written update applied the polluted gradient before this backward
            self._polluted.pop(id(p))
            self._stale_gradient(*pending)
        with torch.no_grad():
            if st.first_norm is None:
                st.first_norm = torch.linalg.vector_norm(G.detach().float())
            fresh = st.fresh
            if st.prev is not None and fresh is not None and fresh.shape == G.shape:
                r = G - fresh
                vals = torch.stack([st.prev.abs().max(), r.abs().max(), (r - st.prev).abs().max()]).float().tolist()
                prev_max, resid, stale_err = vals
                if prev_max > 0 and math.isfinite(prev_max):
                    if resid <= 1e-6 * prev_max:
                        self._polluted.pop(id(p), None)  # cleared before this backward
                    elif stale_err <= 1e-3 * prev_max:
                        updated = p._version != st.version or self._opt_steps_of(p) != st.steps
                        if updated:
                            # stale until proven used: only a step that applies it is a mistake
                            if id(p) not in self._polluted:
                                n_new, n_tot = torch.stack([torch.linalg.vector_norm(fresh.float()),
                                                            torch.linalg.vector_norm(G.float())]).tolist()
                                self._polluted[id(p)] = (st, n_new, n_tot)
                        else:
                            self._accumulated(st)
                    else:
                        self._polluted.pop(id(p), None)
                else:
                    self._polluted.pop(id(p), None)
            else:
                self._polluted.pop(id(p), None)
            st.prev = G.detach().clone()
        st.version = p._version
        st.steps = self._opt_steps_of(p)
        st.fresh = None

    def _opt_steps_of(self, p: torch.Tensor) -> int:
        """Steps taken so far by the optimizers that hold ``p`` (updates through .data do not
        bump the version counter, so the step count is the second witness)."""
        pid = id(p)
        return sum(o.steps for o in self._opts.values() if pid in o.param_ids())

    def _check_polluted(self, o: _Opt) -> None:
        """A step is about to apply gradients that still contain already-applied ones."""
        ids = o.param_ids()
        for pid in [pid for pid in self._polluted if pid in ids]:
            st, new_n, total_n = self._polluted.pop(pid)
            self._stale_gradient(st, new_n, total_n)

    def _unpollute(self, ids: Any) -> None:
        for pid in ids:
            self._polluted.pop(pid, None)

    def _stale_gradient(self, st: _PState, new_n: float, total_n: float) -> None:
        if self._has("missing-zero-grad", WARNING):
            ev = self._findings[("missing-zero-grad", "stale")].evidence
            ev["parameters"] = sorted(set(ev.get("parameters", [])) | {st.name})
            return
        self._add(
            "missing-zero-grad", WARNING,
            f"After optimizer.step() the old gradients stayed in .grad: on {st.name} the gradient of "
            f"this batch has norm {_fmt(new_n)}, but .grad holds {_fmt(total_n)} after backward(), "
            "because backward() added it to the previous batch's gradient, which had already been "
            "applied. Every step then repeats all earlier updates. Call optimizer.zero_grad() "
            "once per iteration, before loss.backward().",
            {"parameter": st.name, "batch_grad_norm": new_n, "accumulated_grad_norm": total_n,
             "backward_call": self.n_backward, "parameters": [st.name]},
            self._backward_loc, key="stale",
        )

    def _accumulated(self, st: _PState) -> None:
        key = ("missing-zero-grad", "accumulate")
        if key in self._findings:
            ev = self._findings[key].evidence
            ev["observed"] = ev.get("observed", 1) + 1
            return
        self._add(
            "missing-zero-grad", INFO,
            "Gradients of several backward passes are summed before an optimizer step (gradient "
            "accumulation). Each sum is cleared before the next round and no step reuses "
            "gradients it has already applied, so this looks deliberate; no warning.",
            {"parameter": st.name}, self._backward_loc, key="accumulate",
        )

    # ------------------------------------------------------------------ losses
    def _loss_pre(self, name: str, x: torch.Tensor, t: torch.Tensor, kwargs: dict) -> None:
        grad = torch.is_grad_enabled()
        key = name if grad else name + ":no_grad"
        calls = self._loss_calls.get(key, 0) + 1
        self._loss_calls[key] = calls
        self._event("L")
        self._last_loss = (name, x, t)
        self._last_loss_grad = grad
        if not (calls <= 3 or calls % 200 == 0):
            return
        loc = user_location()
        if name in _CLASSIFICATION_LOSSES:
            self._check_classification(name, x, t, loc)
        elif name == "binary_cross_entropy_with_logits":
            if self._prob_source(x) == "sigmoid":
                self._add(
                    "softmax-before-cross-entropy", WARNING,
                    "BCEWithLogitsLoss received the output of a sigmoid. It applies the sigmoid "
                    "itself, so the scores are squashed twice and the gradients shrink. Pass the "
                    "raw logits (or keep the sigmoid and use BCELoss).",
                    {"loss": "BCEWithLogitsLoss", "input_from": "sigmoid"}, loc, key=name,
                    fix="loss = nn.BCEWithLogitsLoss()(logits, y.float())   # no sigmoid before it",
                )
            self._check_elementwise(name, x, t, loc)
        else:
            self._check_elementwise(name, x, t, loc)

    @staticmethod
    def _prob_source(x: torch.Tensor) -> str | None:
        fn = x.grad_fn
        for _ in range(6):
            if fn is None:
                return None
            base = _base(fn.name())
            if base == "SoftmaxBackward":
                return "softmax"
            if base == "LogSoftmaxBackward":
                return "log_softmax"
            if base == "SigmoidBackward":
                return "sigmoid"
            if base not in _SHAPE_ONLY:
                return None
            nexts = [n for n, _ in fn.next_functions if n is not None]
            fn = nexts[0] if len(nexts) == 1 else None
        return None

    def _check_classification(self, name: str, x: torch.Tensor, t: torch.Tensor, loc: Location | None) -> None:
        label = _LOSS_LABEL[name]
        if not x.is_floating_point() or x.dim() < 2 or x.device.type == "meta":
            return
        src = self._prob_source(x)
        probs = src == "softmax"
        how = "its grad_fn chain ends in SoftmaxBackward0"
        if src is None and x.shape[1] >= 2:
            with torch.no_grad():
                xd = x.detach()
                lo, hi, dev = torch.stack([xd.min(), xd.max(), (xd.float().sum(1) - 1).abs().max()]).float().tolist()
            if lo >= 0 and hi <= 1 and dev < 1e-3:
                probs = True
                how = f"every row is non-negative and sums to 1 (values in [{_fmt(lo)}, {_fmt(hi)}])"
        if probs:
            if name == "cross_entropy":
                msg = (f"CrossEntropyLoss received probabilities, not raw scores: {how}. The loss "
                       "applies log-softmax itself, so softmax runs twice; the scores are squeezed into "
                       "[0, 1], the loss cannot get near 0 and the gradients shrink. Return the logits "
                       "from the model and apply softmax only where you need probabilities.")
            else:
                msg = (f"NLLLoss received probabilities: {how}. NLLLoss expects log-probabilities; "
                       "use log_softmax instead of softmax, or pass raw logits to CrossEntropyLoss.")
            self._add("softmax-before-cross-entropy", WARNING, msg,
                      {"loss": label, "input_shape": _shape(x), "detected_by": how}, loc, key=name)
        # targets
        if t.is_floating_point():
            if name == "cross_entropy" and t.shape == x.shape:
                with torch.no_grad():
                    td = t.detach()
                    lo, dev = torch.stack([td.min(), (td.float().sum(1) - 1).abs().max()]).float().tolist()
                if lo >= 0 and dev < 1e-3:
                    self._add(
                        "label-dtype", INFO,
                        f"CrossEntropyLoss gets float targets of the same shape as the logits {_shape(x)}, "
                        "and every row is a probability distribution: these are soft labels (label "
                        "smoothing, mixup or distillation), which CrossEntropyLoss supports; no warning.",
                        {"target_dtype": _dtype(t), "target_shape": _shape(t)}, loc, key="soft",
                    )
                else:
                    self._add(
                        "label-dtype", INFO,
                        f"CrossEntropyLoss gets float targets of the same shape as the logits {_shape(x)}, "
                        "but the rows are not probability distributions. CrossEntropyLoss accepts that; if each "
                        "sample can have several labels, BCEWithLogitsLoss is the loss for that. No warning.",
                        {"target_dtype": _dtype(t), "target_shape": _shape(t)}, loc, key="soft",
                    )
            elif t.dim() == x.dim() - 1:
                self._add(
                    "label-dtype", WARNING,
                    f"{label} got class labels of dtype {_dtype(t)} (shape {_shape(t)}). Class indices "
                    "must be integers of dtype int64: float labels are read as probabilities or "
                    "rejected. Convert them with y.long().",
                    {"loss": label, "target_dtype": _dtype(t), "target_shape": _shape(t), "input_shape": _shape(x)},
                    loc, key="dtype",
                )
        elif t.dtype not in (torch.int64, torch.uint8) and not t.is_complex() and t.dtype != torch.bool:
            self._add(
                "label-dtype", WARNING,
                f"{label} got class labels of dtype {_dtype(t)}; it needs int64 (long). Convert them "
                "with y.long().",
                {"loss": label, "target_dtype": _dtype(t), "target_shape": _shape(t)}, loc, key="dtype",
            )
        elif t.dim() == x.dim() and t.shape[-1] == 1:
            self._add(
                "label-dtype", WARNING,
                f"{label} got class labels of shape {_shape(t)} for logits of shape {_shape(x)}: the "
                "labels carry an extra dimension. Class indices must be a 1-D tensor [N]; use "
                "y.squeeze(1) or y.view(-1).",
                {"loss": label, "target_dtype": _dtype(t), "target_shape": _shape(t), "input_shape": _shape(x)},
                loc, key="shape",
            )

    def _check_elementwise(self, name: str, x: torch.Tensor, t: torch.Tensor, loc: Location | None) -> None:
        label = _LOSS_LABEL[name]
        if x.shape != t.shape:
            try:
                b = torch.broadcast_shapes(x.shape, t.shape)
            except RuntimeError:
                b = None
            if b is not None and math.prod(b) > max(x.numel(), t.numel()):
                self._add(
                    "loss-broadcast", WARNING,
                    f"{label} compares an output of shape {_shape(x)} with a target of shape {_shape(t)}; "
                    f"they broadcast to {list(b)}, so every prediction is compared with every target "
                    f"({math.prod(b):,} pairs instead of {max(x.numel(), t.numel()):,}). The loss is still one "
                    "number, nothing crashes, and the model learns to predict the average. Make the "
                    "shapes equal: pred.squeeze(1) or y.unsqueeze(1).",
                    {"loss": label, "input_shape": _shape(x), "target_shape": _shape(t), "broadcast_shape": list(b)},
                    loc, key=name,
                )
        if x.is_floating_point() and not t.is_floating_point() and name == "binary_cross_entropy_with_logits":
            self._add(
                "label-dtype", WARNING,
                f"{label} got targets of dtype {_dtype(t)} for a float output; it needs float targets of "
                "the output's shape. Convert them with y.float().",
                {"loss": label, "target_dtype": _dtype(t), "target_shape": _shape(t), "input_shape": _shape(x)},
                loc, key="dtype",
            )

    def _loss_post(self, name: str, x: torch.Tensor, t: torch.Tensor, out: Any) -> None:
        if isinstance(out, torch.Tensor) and out.grad_fn is not None and out.dim() == 0:
            self._tag_loss(out.grad_fn)
        if name not in _CLASSIFICATION_LOSSES or x.dim() != 2 or t.dim() != 1:
            return
        if t.dtype not in (torch.int64, torch.uint8) or x.shape[0] != t.shape[0] or x.device.type == "meta":
            return
        train = torch.is_grad_enabled() and x.requires_grad
        if train:
            self._ce_train_calls += 1
            n = self._ce_train_calls
            if n <= 8 and t.numel() >= 4:
                with torch.no_grad():
                    uniq = int(torch.unique(t).numel())
                    first = int(t[0])
                self._batch_classes.append((uniq, first))
        else:
            self._ce_eval_calls += 1
            n = self._ce_eval_calls
        if not (n <= 20 or n % (5 * self._ce_stride) == 0):
            return
        C = x.shape[1]
        with torch.no_grad():
            xd = x.detach()
            tl = t.long()
            valid = (tl >= 0) & (tl < C)
            pred = xd.argmax(1)
            correct = ((pred == tl) & valid).sum()
            count = valid.sum()
            pred_hist = torch.zeros(C, device=x.device).index_add_(0, pred, valid.float())
            targ_hist = torch.zeros(C, device=x.device).index_add_(0, tl.clamp(0, C - 1), valid.float())
            loss = out.detach().float() if isinstance(out, torch.Tensor) and out.dim() == 0 else None
        self._ce.append((train, n, loss, correct, count, pred_hist, targ_hist))
        if len(self._ce) > 3000:
            head, tail = self._ce[:100], self._ce[100:]
            self._ce = head + tail[::2]
            self._ce_stride *= 2

    # ------------------------------------------------------------------ saving and loading
    def _on_save(self, obj: Any, f: Any) -> None:
        path = str(f) if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__") else None
        loc = user_location()
        module = obj if isinstance(obj, nn.Module) else None
        inside = None
        if module is None and isinstance(obj, dict):
            for k, v in obj.items():
                if isinstance(v, nn.Module):
                    module, inside = v, k
                    break
        if module is not None:
            where = f" (under the key {inside!r})" if inside is not None else ""
            self._add(
                "whole-model-save", WARNING,
                f"torch.save() pickled a whole {type(module).__name__} object{where}"
                f"{' to ' + path if path else ''}. The file then refers to your class by module and "
                "name; renaming or moving the code, or changing the class, breaks loading. Save "
                "model.state_dict() instead and rebuild the model in code.",
                {"class": type(module).__name__, "file": path}, loc, key="save",
            )
        if path is not None:
            kind = "other"
            if isinstance(obj, dict):
                kind = "checkpoint" if _has_optimizer_state(obj) or _has_epoch(obj) else "state_dict"
            self._saved[path] = kind

    def _on_load(self, result: Any, f: Any) -> None:
        path = str(f) if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__") else None
        loc = user_location()
        if isinstance(result, nn.Module):
            self._add(
                "whole-model-save", WARNING,
                f"torch.load() returned a whole {type(result).__name__} object"
                f"{' from ' + path if path else ''}: the file is a pickled model, which breaks as soon "
                "as the class or its file changes. Save and load state_dicts instead.",
                {"class": type(result).__name__, "file": path}, loc, key="load",
            )
            return
        if not isinstance(result, dict):
            return
        self._tick += 1
        rec = _Loaded(path, self._tick, _has_optimizer_state(result), _has_epoch(result),
                      path is not None and path in self._saved, loc, result)
        self._loaded[id(result)] = rec
        for v in result.values():
            if isinstance(v, dict):
                self._loaded[id(v)] = rec

    def _on_module_load(self, module: nn.Module, state_dict: Any) -> None:
        rec = self._loaded.get(id(state_dict))
        if rec is None or rec.obj is None:
            return
        self._tick += 1
        self._model_loads.append((module, rec, self._tick))
        kind = self._kinds.get(module)
        if isinstance(kind, _Model):
            kind.loaded = True

    def _on_opt_load(self, opt: torch.optim.Optimizer) -> None:
        self._tick += 1
        self._opt_rec(opt).loaded_tick = self._tick

    # ------------------------------------------------------------------ data loading
    def _on_loader_init(self, loader: DataLoader) -> None:
        rec = _Loader(loader, user_location())
        self._loaders[loader] = rec
        self._loader_list.append(rec)

    def _on_loader_iter(self, loader: DataLoader, it: Any) -> None:
        rec = self._loaders.get(loader)
        if rec is None:
            rec = _Loader(loader, None)
            self._loaders[loader] = rec
            self._loader_list.append(rec)
        rec.passes += 1
        try:
            it.__dict__["_torchtutor"] = _IterState(rec)
        except Exception:
            pass

    # ------------------------------------------------------------------ reshape window
    def _check_reshape(self, src: torch.Tensor, out: Any) -> None:
        if not isinstance(out, torch.Tensor):
            return
        s, o = tuple(src.shape), tuple(out.shape)
        if len(s) != len(o) or s == o or len(s) < 2:
            return
        if sorted(s) != sorted(o):
            return
        if [d for d in s if d != 1] == [d for d in o if d != 1]:
            return
        frame = sys._getframe(2)
        if frame is None or not is_user_file(frame.f_code.co_filename):
            return
        loc = Location(frame.f_code.co_filename, frame.f_lineno)
        self._add(
            "view-instead-of-permute", WARNING,
            f"A tensor of shape {list(s)} was reshaped to {list(o)}: the same sizes in a different "
            "order. view/reshape keep the memory order and only relabel the sizes, so the values are "
            "scrambled across dimensions. To reorder dimensions use permute() or transpose() "
            f"(for this case: x.permute({', '.join(str(i) for i in _perm_guess(s, o))})).",
            {"from_shape": list(s), "to_shape": list(o)}, loc, key=(loc.file, loc.line),
        )

    def _nonleaf_grad(self, t: torch.Tensor) -> None:
        loc = user_location()
        if loc is None:
            return
        self._nonleaf_seen = True
        self._add(
            "update-outside-no-grad", WARNING,
            f".grad was read on a tensor of shape {_shape(t)} that is not a leaf: it is computed from other "
            f"tensors (its grad_fn is {t.grad_fn.name()}), so backward() stores no gradient in it and .grad "
            "is None. This is what an update written as w = w - lr * w.grad with tracking on does: w becomes "
            "a computed tensor and stops being a parameter. Update in place inside `with torch.no_grad():`.",
            {"shape": _shape(t), "grad_fn": t.grad_fn.name()}, loc, key="nonleaf",
        )

    # ------------------------------------------------------------------ crash
    def record_exception(self, exc: BaseException) -> Finding | None:
        """Translate an exception raised by the instrumented code and keep it as a finding."""
        ctx = dict(self.crash_context)
        params = [p for m in self._models for p in m.module.parameters()]
        if params:
            ctx["all_frozen"] = not any(p.requires_grad for p in params)
            ctx["frozen_count"] = len(params)
        if self._last_backward_shape is not None:
            ctx["backward_shape"] = list(self._last_backward_shape)
        if self._last_loss_grad is not None:
            ctx["loss_grad_enabled"] = self._last_loss_grad
        ctx["step_after_forward"] = self._last_step_tick > self._last_forward_tick >= 0
        ctx["nonleaf_grad"] = self._nonleaf_seen
        if self._last_loss is not None:
            name, x, t = self._last_loss
            ctx["loss_call"] = {"loss": _LOSS_LABEL.get(name, name), "input_shape": _shape(x),
                                "input_dtype": _dtype(x), "target_shape": _shape(t), "target_dtype": _dtype(t)}
        loc = innermost_user_location(exc.__traceback__)
        self.crash = {"type": type(exc).__name__, "message": str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                      "location": loc.to_dict() if loc else None}
        finding = explain_exception(exc, ctx)
        if finding is None:
            return None
        self.crash["id"] = finding.id
        existing = [f for k, f in self._findings.items() if k[0] == finding.id and f.is_warning]
        if existing:
            existing[0].evidence["crashed_with"] = finding.evidence.get("error")
            existing[0].message += " The script then crashed with: " + str(finding.evidence.get("error"))
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
        self._finalized = True
        self._suspend += 1
        try:
            obs: dict[str, Any] = {}
            obs["loop"] = {}
            for step in (self._final_gradients, self._final_loop, self._final_training, self._final_evaluation,
                         self._final_persistence, self._final_built, self._final_data):
                try:
                    step(obs)
                except Exception as exc:  # never lose the findings already gathered
                    self._internal(exc)
            self._suppress_symptoms()
            obs["models"] = self._model_observations()
            self.observations = obs
        finally:
            self._suspend -= 1
        rank = {p: i for i, p in enumerate(PHASE_IDS)}
        ordered = sorted((self._findings[k] for k in self._order), key=lambda f: rank.get(f.phase, 9))
        warnings = [f for f in ordered if f.is_warning]
        infos = [f for f in ordered if not f.is_warning]
        self._final = warnings + infos
        return self._final

    def _layer_rows(self) -> list[dict[str, Any]]:
        states = [st for _, st in self._pstates.values() if st.first_norm is not None]
        if not states:
            return []
        norms = torch.stack([st.first_norm.float().cpu() for st in states]).tolist()
        rows = []
        for st, n in zip(states, norms):
            rows.append({"name": st.name, "shape": st.shape, "norm": n,
                         "rms": n / math.sqrt(max(st.numel, 1))})
        order: dict[str, int] = {}
        for m in self._models:
            for i, lname in enumerate(m.order):
                order.setdefault(lname if len(self._models) == 1 else f"{m.name}.{lname}", i)

        def rank(row):
            owner = row["name"].rsplit(".", 1)[0] if "." in row["name"] else row["name"]
            return order.get(owner, 10_000)

        rows.sort(key=rank)
        return rows

    def _final_gradients(self, obs: dict) -> None:
        rows = self._layer_rows()
        obs["gradients"] = {"first_iteration": rows}
        samples = []
        for step, names, stacked in self._grad_samples:
            vals = stacked.tolist()
            total = math.sqrt(sum(v * v for v in vals)) if all(math.isfinite(v) for v in vals) else float("inf")
            samples.append({"step": step, "total_norm": total, "max_layer": names[vals.index(max(vals))] if vals else None})
        obs["gradients"]["samples"] = samples
        weights = [r for r in rows if len(r["shape"]) >= 2]
        nonfinite = [r["name"] for r in rows if not math.isfinite(r["norm"])]
        if nonfinite:
            self._add(
                "exploding-gradients", WARNING,
                f"At the first iteration the gradients of {', '.join(nonfinite[:4])} are already "
                "inf or NaN. Check the inputs and targets for inf/NaN, and the loss for log(0) or "
                "division by zero; a smaller learning rate will not help until the first gradients are finite.",
                {"non_finite": nonfinite}, self._backward_loc, key="first",
            )
        elif len(weights) >= 2:
            first, last = weights[0], weights[-1]
            table = {r["name"]: r["norm"] for r in weights}
            if last["rms"] > 0 and len(weights) >= 3:
                ratio = first["rms"] / last["rms"]
                dead = [r["name"] for r in weights[:-1] if r["norm"] == 0]
                if ratio < 1e-3 or len(dead) >= max(1, (len(weights) - 1) // 2):
                    detail = (f"{len(dead)} weight tensor(s) get exactly zero gradient ({', '.join(dead[:4])}), "
                              "the mark of dead ReLUs or a saturated activation" if dead and ratio >= 1e-3 else
                              f"the first layer's gradient per element is {_fmt(ratio)} times the last layer's "
                              f"({_fmt(first['rms'])} for {first['name']} against {_fmt(last['rms'])} for {last['name']})")
                    self._add(
                        "vanishing-gradients", WARNING,
                        f"At the first iteration the gradient fades on its way back through the network: {detail}. "
                        "The early layers will barely move. Use ReLU-family activations between hidden layers "
                        "(sigmoid and tanh saturate), normalisation layers, or fewer layers.",
                        {"ratio_first_to_last": ratio, "dead_layers": dead, "grad_norms": table},
                        self._backward_loc, key="first",
                    )
                elif ratio > 1e4 and first["rms"] > 1.0:
                    self._add(
                        "exploding-gradients", WARNING,
                        f"At the first iteration the gradient grows on its way back through the network: the "
                        f"first layer's gradient per element is {_fmt(ratio)} times the last layer's "
                        f"({_fmt(first['rms'])} against {_fmt(last['rms'])}). Check the initialisation "
                        "(weights too large) and normalise the inputs.",
                        {"ratio_first_to_last": ratio, "grad_norms": table}, self._backward_loc, key="first",
                    )
        # the loss over time
        vals = self._loss_values()
        obs["loss_history"] = vals[:: max(1, len(vals) // 200)]
        finite = [(n, v) for n, v in vals if math.isfinite(v)]
        bad = [(n, v) for n, v in vals if not math.isfinite(v)]
        if bad and finite and finite[0][0] < bad[0][0]:
            n_bad, v_bad = bad[0]
            growth = self._grad_growth(samples)
            self._add(
                "exploding-gradients", WARNING,
                f"The loss was finite at first ({_fmt(finite[0][1])} at backward #{finite[0][0]}) and became "
                f"{v_bad} at backward #{n_bad}{growth}. Updates overshoot more and more until the weights "
                "overflow. Lower the learning rate, normalise the inputs (and regression targets), or clip "
                "the gradient norm.",
                {"first_loss": finite[0][1], "non_finite_at_backward": n_bad, "value": str(v_bad)},
                self._backward_loc, key="loss",
            )
        elif finite and len(finite) >= 10 and finite[0][1] > 0 and \
                max(v for _, v in finite[5:]) > 50 * max(finite[0][1], 1e-3):
            first_n, first_v = finite[0]
            peak_n, peak_v = max(finite[5:], key=lambda nv: nv[1])
            self._add(
                "exploding-gradients", WARNING,
                f"The loss rose from {_fmt(first_v)} at backward #{first_n} to {_fmt(peak_v)} at backward "
                f"#{peak_n}, {_fmt(peak_v / first_v)} times its starting value{self._grad_growth(samples)}. "
                "Updates are overshooting: each step throws the weights further off. Lower the learning "
                "rate, normalise the inputs (and regression targets), or clip the gradient norm.",
                {"first_loss": first_v, "peak_loss": peak_v, "peak_at_backward": peak_n},
                self._backward_loc, key="loss",
            )
        elif samples and len(samples) >= 2 and not self._has("exploding-gradients"):
            first_total = samples[0]["total_norm"]
            peak = max(samples[1:], key=lambda s: s["total_norm"])
            if first_total > 0 and peak["total_norm"] / first_total > 1e3 and peak["total_norm"] > 1e2:
                self._add(
                    "exploding-gradients", WARNING,
                    f"The total gradient norm grew from {_fmt(first_total)} at step {samples[0]['step']} to "
                    f"{_fmt(peak['total_norm'])} at step {peak['step']}, a factor of "
                    f"{_fmt(peak['total_norm'] / first_total)}. Training is diverging; lower the learning "
                    "rate or clip the gradient norm.",
                    {"first_norm": first_total, "peak_norm": peak["total_norm"], "peak_step": peak["step"]},
                    self._backward_loc, key="growth",
                )

    @staticmethod
    def _grad_growth(samples: list[dict]) -> str:
        finite = [s for s in samples if math.isfinite(s["total_norm"])]
        if len(finite) >= 2 and finite[0]["total_norm"] > 0:
            return (f"; meanwhile the gradient norm went from {_fmt(finite[0]['total_norm'])} to "
                    f"{_fmt(finite[-1]['total_norm'])}")
        return ""

    def _loss_values(self) -> list[tuple[int, float]]:
        if not self._loss_vals:
            return []
        idx = [n for n, _ in self._loss_vals]
        vals = torch.stack([v.float().cpu().reshape(()) if v.numel() == 1 else v.float().cpu().mean()
                            for _, v in self._loss_vals]).tolist()
        return list(zip(idx, vals))

    def _final_loop(self, obs: dict) -> None:
        opts = [o for o in self._opts.values()]
        stepped = [o for o in opts if o.steps > 0]
        obs["loop"] = {
            "steps": self.n_steps, "backward_calls": self.n_backward, "zero_grad_calls": self.n_zero_grad,
            "model_forwards": self.n_forward, "pattern": _pattern(self._events),
            "optimizers": [{"class": o.cls, "steps": o.steps, "lr": _lr(o.opt)} for o in opts],
        }
        for o in stepped:
            if self.n_backward == 0:
                self._add(
                    "missing-backward", WARNING,
                    f"{o.cls}.step() ran {o.steps} time(s) but loss.backward() never ran, so .grad was "
                    "never filled and no step changed anything. Call loss.backward() before each step.",
                    {"steps": o.steps, "backward_calls": 0}, o.empty_loc or o.loc, key=o.cls,
                )
                continue
            empty_ratio = o.empty_steps / o.steps
            if o.empty_steps and (empty_ratio >= 0.5 or (o.empty_first and o.steps > 1)):
                if o.wiped and o.wiped >= o.empty_steps / 2:
                    msg = (f"zero_grad() ran between loss.backward() and optimizer.step() in {o.wiped} of "
                           f"{o.steps} steps, wiping the gradients just before they were used, so those "
                           "steps changed nothing. Clear, compute, use: zero_grad(), backward(), step().")
                elif empty_ratio >= 0.5:
                    msg = (f"{o.empty_steps} of {o.steps} optimizer steps found no gradient from a backward "
                           "pass since the gradients were last cleared: step() runs before backward() in "
                           "the loop, so each update has nothing (or only stale values) to apply and the "
                           "model does not learn. Order each iteration as zero_grad(), backward(), step().")
                else:
                    msg = ("optimizer.step() runs before loss.backward() within each iteration: the very "
                           "first step had no gradient at all, and every later step applies the gradient "
                           "of the previous batch, one batch late. Order each iteration as zero_grad(), "
                           "backward(), step().")
                self._add("step-before-backward", WARNING, msg,
                          {"steps": o.steps, "steps_without_fresh_gradient": o.empty_steps,
                           "zero_grad_between_backward_and_step": o.wiped},
                          o.empty_loc, key=o.cls)
        for o in stepped:
            if o.frozen_steps and all(h[1] == 0 for h in o.rg_history):
                self._add(
                    "all-parameters-frozen", WARNING,
                    f"Every one of the {o.rg_history[-1][2]} parameter tensors given to {o.cls} has "
                    "requires_grad=False: no gradient is ever computed for them and each step does nothing. "
                    "Unfreeze the layers you want to train (p.requires_grad_(True)).",
                    {"optimizer": o.cls, "parameters": o.rg_history[-1][2]}, o.frozen_loc, key=o.cls,
                )
            grew = [h for h in o.rg_history if h[1] > o.rg_history[0][1]]
            if o.rg_history and grew:
                first, later = o.rg_history[0], grew[0]
                self._add(
                    "all-parameters-frozen", INFO,
                    f"{o.cls} trained {first[1]} of {first[2]} parameter tensors at first and "
                    f"{later[1]} of {later[2]} from step {later[0] + 1} on: staged unfreezing. The "
                    "unfrozen parameters are in the optimizer, so they do get updated; no warning.",
                    {"optimizer": o.cls, "history": [list(h) for h in o.rg_history]}, None, key=("staged", o.cls),
                )
        if opts and not stepped and self.n_backward >= 3:
            changed = any(p._version != v for p, v in self._first_versions.values())
            if not changed:
                o = opts[0]
                self._add(
                    "missing-optimizer-step", WARNING,
                    f"loss.backward() ran {self.n_backward} times and a {o.cls} optimizer exists, but "
                    "optimizer.step() never ran and no parameter changed: the gradients were computed "
                    "and thrown away. Call optimizer.step() after loss.backward().",
                    {"backward_calls": self.n_backward, "optimizer": o.cls, "steps": 0},
                    self._backward_loc, key=o.cls,
                )
        if self._max_live >= 3:
            self._add(
                "loss-accumulated-with-graph", WARNING,
                f"At step {self._max_live_step}, the autograd graphs of {self._max_live} or more losses from "
                "earlier steps were still alive. Something keeps the loss tensors themselves (total += "
                "loss, or a list of losses), and with them their history, so memory grows every step. "
                "Keep numbers for logging: total += loss.item().",
                {"graphs_alive": self._max_live, "at_step": self._max_live_step},
                self._backward_loc, key="live",
            )

    def _final_training(self, obs: dict) -> None:
        obs["training"] = {}
        if not self._ce:
            self._final_sorted_batches()
            return
        groups: dict[int, list[tuple]] = {}
        for r in self._ce:  # one group per number of classes (a script may train several models)
            groups.setdefault(int(r[5].numel()), []).append(r)
        best = None
        for classes, rows in groups.items():
            info = self._training_group(classes, rows)
            if best is None or info.get("train_samples", 0) > best.get("train_samples", 0):
                best = info
        obs["training"] = best or {}
        self._final_sorted_batches()

    def _training_group(self, classes: int, rows: list[tuple]) -> dict[str, Any]:
        nums = torch.stack([torch.stack([r[3].float().cpu(), r[4].float().cpu(),
                                         (r[2].cpu() if r[2] is not None else torch.tensor(float("nan")))])
                            for r in rows]).tolist()
        train = [(r, v) for r, v in zip(rows, nums) if r[0]]
        evals = [(r, v) for r, v in zip(rows, nums) if not r[0]]

        def acc(items):
            c = sum(v[0] for _, v in items)
            n = sum(v[1] for _, v in items)
            return c / n if n else None

        def mean_loss(items):
            vals = [v[2] for _, v in items if math.isfinite(v[2])]
            return sum(vals) / len(vals) if vals else None

        info: dict[str, Any] = {"classes": classes}
        if train:
            k = max(1, len(train) // 10)
            info.update({
                "train_samples": len(train), "train_calls": self._ce_train_calls,
                "loss_first": mean_loss(train[:k]), "loss_last": mean_loss(train[-k:]),
                "accuracy_first": acc(train[:k]), "accuracy_last": acc(train[-k:]),
            })
        if evals:
            info.update({"eval_calls": self._ce_eval_calls, "eval_loss": mean_loss(evals), "eval_accuracy": acc(evals)})
        if len(train) >= 10 and self._ce_train_calls >= 50:
            late = train[-max(5, len(train) * 4 // 10):]
            targ = torch.stack([r[6].float().cpu() for r, _ in train]).sum(0)
            pred = torch.stack([r[5].float().cpu() for r, _ in late]).sum(0)
            if targ.sum() > 0 and pred.sum() > 0:
                prior = targ / targ.sum()
                # what a model that always predicts the label frequencies would score on these very
                # batches (their class mix varies, so compare like with like)
                late_targ = torch.stack([r[6].float().cpu() for r, _ in late])
                per_batch = -(late_targ * prior.clamp_min(1e-12).log()).sum(1) / late_targ.sum(1).clamp_min(1)
                H = float(per_batch.mean())
                L = mean_loss(late)
                share = float(pred.max() / pred.sum())
                top = int(pred.argmax())
                acc_late = acc(late)
                if L is not None and H > 0 and share >= 0.9 and abs(L - H) <= max(0.05, 0.06 * H):
                    self._add(
                        "class-prior-plateau", WARNING,
                        f"Over the last {len(late)} sampled training batches the loss sat at {_fmt(L)}, which is "
                        f"what predicting the label frequencies alone scores on those batches ({_fmt(H)} nats, the "
                        f"entropy of the label distribution), and {share:.0%} of the "
                        f"predictions were class {top}. Accuracy was {acc_late:.1%}, the share of the most common "
                        f"class is {float(prior.max()):.1%}. The model has learned how often each class occurs, "
                        "not how to tell them apart: the loss went down, but training is not working.",
                        {"late_loss": L, "label_entropy": H, "top_prediction_share": share,
                         "predicted_class": top, "accuracy": acc_late, "majority_share": float(prior.max())},
                        self._backward_loc, key=("prior", classes),
                    )
        return info

    def _final_sorted_batches(self) -> None:
        uniq = self._batch_classes
        single = sum(1 for u, _ in uniq if u == 1)
        if len(uniq) >= 6 and single >= len(uniq) - 2 and len({c for _, c in uniq}) >= 2:
            seq = [c for _, c in uniq]
            if seq == sorted(seq) and not any(r.steps > 0 for r in self._loader_list):
                self._add(
                    "unshuffled-training-data", WARNING,
                    f"{single} of the first {len(uniq)} training batches hold a single class, in order "
                    f"({', '.join(str(c) for c in seq)}): the data is sorted by label and not shuffled. "
                    "The model sees one class at a time and chases the latest batch. Shuffle the "
                    "training data every epoch (DataLoader(..., shuffle=True) or torch.randperm).",
                    {"batch_classes": seq}, self._backward_loc, key="sorted",
                )

    def _final_evaluation(self, obs: dict) -> None:
        for fr in self._pending:  # graphs still alive at the end: no backward reached them
            if not fr.done and not fr.reached:
                self._count_eval(fr, with_grad=True)
        self._pending = []
        rows = []
        for m in self._models:
            rows.append({"model": m.name, "eval_forwards": m.e_total, "with_grad": m.e_grad,
                         "dropout_or_bn_active": m.e_active})
            if m.e_active:
                deliberate = (m.e_mixed == m.e_active or m.e_repeat * 2 >= m.e_active) and not m.e_bn
                kinds = sorted({type(s).__name__ for s in m.stoch if s.training}) or \
                    sorted({type(s).__name__ for s in m.stoch})
                if deliberate:
                    self._add(
                        "eval-mode-missing", INFO,
                        f"{m.e_active} forward(s) of {m.name} outside training kept dropout active"
                        f"{' on purpose: only the dropout layers were in training mode' if m.e_mixed else ''}"
                        f"{', with the same input repeated' if m.e_repeat else ''}. That is Monte Carlo "
                        "dropout (sampling predictions to estimate uncertainty), which needs dropout on; "
                        "no warning.",
                        {"model": m.name, "forwards": m.e_active, "mixed_modes": m.e_mixed, "repeated_input": m.e_repeat},
                        m.e_active_loc, key=m.name,
                    )
                else:
                    self._add(
                        "eval-mode-missing", WARNING,
                        f"{m.e_active} forward pass(es) of {m.name} after training (no backward pass used "
                        f"their output) ran in training mode, with {', '.join(kinds)} active. Dropout then "
                        "drops activations at random and batch norm uses (and updates) the statistics of "
                        "the evaluation batches, so the evaluation numbers are off. Call model.eval() "
                        "before evaluating and model.train() before training again.",
                        {"model": m.name, "forwards": m.e_active, "active_modules": kinds},
                        m.e_active_loc, key=m.name,
                    )
            if m.e_grad:
                many = m.e_grad >= 2 or m.e_grad_samples >= 100
                self._add(
                    "no-grad-missing", WARNING if many else INFO,
                    f"{m.e_grad} forward pass(es) of {m.name} ({m.e_grad_samples:,} samples) after training built "
                    "an autograd graph that no backward pass ever used: evaluation ran with gradient tracking "
                    "on, storing intermediate results for nothing. Wrap evaluation in `with torch.no_grad():`."
                    + ("" if many else " Only one small forward did this, so it costs little here; no warning."),
                    {"model": m.name, "forwards": m.e_grad, "samples": m.e_grad_samples},
                    m.e_grad_loc, key=m.name,
                )
            # Training in eval mode means an optimizer step followed such a forward. A backward
            # in eval mode with no step after it (a saliency map, an input gradient) trains nothing.
            if m.eval_in_train and self._last_step_tick > m.eval_in_train_tick:
                self._add(
                    "train-mode-not-restored", WARNING,
                    f"{m.eval_in_train} training forward pass(es) of {m.name} ran in eval mode after earlier "
                    "ones ran in training mode: model.eval() was called for an evaluation and model.train() "
                    "was not called again, so dropout and batch norm stopped doing their training-time job.",
                    {"model": m.name, "forwards": m.eval_in_train}, m.eval_in_train_loc, key=m.name,
                )
        obs["evaluation"] = rows

    def _final_persistence(self, obs: dict) -> None:
        for module, rec, tick in self._model_loads:
            mod_ids = {id(p) for p in module.parameters()}
            for o in self._opts.values():
                if o.steps == 0 or o.last_step_tick <= tick or not (o.param_ids() & mod_ids):
                    continue
                if o.loaded_tick > rec.tick:
                    continue
                stateful = any(isinstance(v, torch.Tensor) for st in o.opt.state.values() for v in st.values())
                resume = rec.has_opt or rec.has_epoch
                where = f" from {rec.path}" if rec.path else ""
                if stateful and resume:
                    what = ("the checkpoint holds an optimizer state that was never loaded" if rec.has_opt else
                            "the checkpoint has no optimizer state at all")
                    self._add(
                        "resume-without-optimizer-state", WARNING,
                        f"{type(module).__name__} was restored{where} and training continued with {o.cls}, but "
                        f"{what}: {o.cls} restarts with empty running averages, like a pilot with amnesia, "
                        "and the loss jumps before it recovers. Save optimizer.state_dict() in the checkpoint "
                        "and call optimizer.load_state_dict() when resuming.",
                        {"model": type(module).__name__, "optimizer": o.cls, "file": rec.path,
                         "checkpoint_has_optimizer_state": rec.has_opt},
                        rec.loc, key=(id(module), o.cls),
                    )
                else:
                    why = (f"{o.cls} keeps no per-parameter state here, so nothing is lost" if not stateful else
                           "the file holds only weights, which looks like starting a fine-tuning run")
                    self._add(
                        "resume-without-optimizer-state", INFO,
                        f"{type(module).__name__} was loaded{where} and trained further with a fresh {o.cls}; "
                        f"{why}; no warning. If you are resuming an interrupted run, restore the optimizer state too.",
                        {"model": type(module).__name__, "optimizer": o.cls, "file": rec.path},
                        rec.loc, key=(id(module), o.cls),
                    )

    def _final_built(self, obs: dict) -> None:
        in_opt = self._all_opt_ids()
        for rec in self._built.values():
            if rec.params:
                alive = [r() for r in rec.param_refs]
                trained = rec.count == 1 and any(p is not None and id(p) in in_opt for p in alive)
                if trained:
                    self._add(
                        "layer-created-in-forward", INFO,
                        f"{rec.cls} was created inside forward() once, on the first call, and its "
                        "parameters are in the optimizer: a lazy build, which works; building it in "
                        "__init__ is clearer; no warning.",
                        {"class": rec.cls, "built": rec.count}, rec.loc, key=(rec.cls, rec.loc and rec.loc.line),
                    )
                else:
                    self._add(
                        "layer-created-in-forward", WARNING,
                        f"A new {rec.cls} with parameters was created inside forward() ({rec.count} time(s) "
                        "during this run). Each call builds fresh random weights that are not in the "
                        "optimizer, so this layer never learns and its output is noise. Create it once "
                        "in __init__ and only call it in forward().",
                        {"class": rec.cls, "built": rec.count}, rec.loc, key=(rec.cls, rec.loc and rec.loc.line),
                    )
            else:
                self._add(
                    "layer-created-in-forward", INFO,
                    f"{rec.cls} is created inside forward() ({rec.count} time(s)). It has no parameters, so "
                    "nothing is lost (building it once in __init__ just saves a little time); no warning.",
                    {"class": rec.cls, "built": rec.count}, rec.loc, key=(rec.cls, rec.loc and rec.loc.line),
                )

    def _final_data(self, obs: dict) -> None:
        loaders = []
        for rec in self._loader_list:
            loaders.append({"dataset_size": rec.dataset_len, "batch_size": rec.batch_size,
                            "shuffle": not rec.sequential, "batches": rec.batches, "steps": rec.steps,
                            "created_at": str(rec.loc) if rec.loc else None})
            if rec.sequential and not rec.custom and rec.steps > 0:
                size = f"{rec.dataset_len:,} samples" if rec.dataset_len is not None else "the dataset"
                self._add(
                    "unshuffled-training-data", WARNING,
                    f"A DataLoader over {size} (batch_size={rec.batch_size}) with shuffle=False fed "
                    f"{rec.steps} optimizer step(s): every epoch sees the samples in the same order, and if "
                    "the data is sorted (by class, by time) each batch holds one kind of sample. Pass "
                    "shuffle=True for the training loader.",
                    {"dataset_size": rec.dataset_len, "batch_size": rec.batch_size, "steps": rec.steps},
                    rec.loc, key=id(rec),
                )
        obs["loop"]["loaders"] = loaders
        if self.cut_short:
            obs["loop"]["cut_short"] = self.cut_short
            obs["loop"]["fast_forward_step"] = self.fast_forward_step

    def _suppress_symptoms(self) -> None:
        causes = {"softmax-before-cross-entropy", "missing-zero-grad", "step-before-backward", "missing-optimizer-step",
                  "missing-backward", "detached-loss", "all-parameters-frozen", "label-dtype", "loss-broadcast",
                  "optimizer-missing-params", "layer-created-in-forward", "view-instead-of-permute"}
        present = [k[0] for k, f in self._findings.items() if f.is_warning and k[0] in causes]
        if not present:
            return
        for k, f in self._findings.items():
            if f.is_warning and k[0] in ("class-prior-plateau", "exploding-gradients", "vanishing-gradients"):
                if k[0] == "vanishing-gradients" and not ({"detached-loss", "all-parameters-frozen"} & set(present)):
                    continue
                f.severity = INFO
                f.message += f" (Most likely a consequence of {present[0]}, reported above.)"
                f.evidence["symptom_of"] = present[0]

    def _model_observations(self) -> list[dict[str, Any]]:
        out = []
        for m in self._models:
            params = list(m.module.parameters())
            total = sum(p.numel() for p in params)
            trainable = sum(p.numel() for p in params if p.requires_grad)
            row = {"name": m.name, "parameters": total, "trainable": trainable, "calls": m.calls,
                   "input_shapes": m.input_shapes, "first_called_at": str(m.first_loc) if m.first_loc else None,
                   "layer_order": m.order}
            if self.summary:
                row["summary"] = _summarise_model(m)
            out.append(row)
        return out


# --------------------------------------------------------------------------- helpers
def _restore(owner: Any, name: str, old: Any, had_own: bool) -> None:
    if had_own:
        setattr(owner, name, old)
    else:
        try:
            delattr(owner, name)
        except AttributeError:
            pass


def _has_optimizer_state(obj: dict) -> bool:
    if "state" in obj and "param_groups" in obj:
        return True
    return any(isinstance(v, dict) and "state" in v and "param_groups" in v for v in obj.values())


def _has_epoch(obj: dict) -> bool:
    return any(isinstance(k, str) and k.lower() in ("epoch", "step", "global_step", "iteration") for k in obj)


def _lr(opt: torch.optim.Optimizer) -> Any:
    try:
        lr = opt.param_groups[0].get("lr")
        return float(lr) if isinstance(lr, (int, float)) else str(lr)
    except Exception:
        return None


def _perm_guess(src: tuple, dst: tuple) -> list[int]:
    used: set[int] = set()
    perm = []
    for d in dst:
        for i, s in enumerate(src):
            if s == d and i not in used:
                used.add(i)
                perm.append(i)
                break
    return perm


_WORDS = {"F": "forward", "L": "loss", "Z": "zero_grad", "B": "backward", "S": "step"}


def _pattern(events: list[str]) -> str | None:
    """The steady-state order of one training iteration, e.g. 'zero_grad -> forward -> ...'."""
    steps = [i for i, e in enumerate(events) if e == "S"]
    if not steps:
        seq = events[:12]
        return " -> ".join(_WORDS[e] for e in seq) if seq else None
    if len(steps) >= 3:
        seg = events[steps[1] + 1: steps[2] + 1]
    elif len(steps) == 2:
        seg = events[steps[0] + 1: steps[1] + 1]
    else:
        seg = events[: steps[0] + 1]
    body, tail = seg[:-1], seg[-1:]
    # collapse a repeated unit (gradient accumulation: forward, loss, backward x4, step)
    for size in range(1, len(body) // 2 + 1):
        if len(body) % size == 0:
            unit = body[:size]
            reps = len(body) // size
            if reps > 1 and unit * reps == body:
                return "(" + " -> ".join(_WORDS[e] for e in unit) + f") x{reps} -> " + " -> ".join(_WORDS[e] for e in tail)
    return " -> ".join(_WORDS[e] for e in seg)


_TORCHINFO_NOISE = ("Total mult-adds", "Input size", "Forward/backward pass size", "Params size",
                    "Estimated Total Size")


def _summarise_model(m: _Model) -> dict[str, Any]:
    """torchinfo's table for the model (falls back to a parameter table without shapes)."""
    module = m.module
    text = None
    error = None
    if m.first_input is not None:
        try:
            import torchinfo

            dev = m.first_param.device if m.first_param is not None else torch.device("cpu")
            inputs = [t.to(dev) for t in m.first_input]
            stats = torchinfo.summary(module, input_data=inputs, verbose=0, depth=3, mode="eval",
                                      col_names=("output_size", "num_params"), row_settings=("var_names",),
                                      col_width=14, device=dev)
            text = "\n".join(line for line in str(stats).splitlines()
                             if not line.startswith(_TORCHINFO_NOISE)).rstrip("= \n")
        except Exception as exc:
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if text is None:
        lines = [f"{'Layer':<32} {'Type':<18} {'Params':>12} Trainable"]
        for qn, sub in module.named_modules():
            own = [p for p in sub._parameters.values() if p is not None]
            if not own:
                continue
            n = sum(p.numel() for p in own)
            tr = all(p.requires_grad for p in own)
            lines.append(f"{(qn or m.name)[:32]:<32} {type(sub).__name__[:18]:<18} {n:>12,} {'yes' if tr else 'no'}")
        total = sum(p.numel() for p in module.parameters())
        lines.append(f"Total params: {total:,}")
        text = "\n".join(lines)
    return {"text": text, "torchinfo": error is None and m.first_input is not None, "error": error}


# --------------------------------------------------------------------------- wrappers
def _make_backward(orig: Callable) -> Callable:
    def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
                 inputs=None):
        p = _ACTIVE
        if p is not None and not p._suspend:
            try:
                p._on_backward(tensors, grad_tensors if grad_tensors is not None else grad_variables)
            except StopRun:
                raise
            except Exception as exc:
                p._internal(exc)
        if grad_variables is not None:
            return orig(tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs=inputs)
        return orig(tensors, grad_tensors, retain_graph, create_graph, inputs=inputs)

    backward.__wrapped__ = orig
    backward.__doc__ = orig.__doc__
    return backward


def _make_loss(name: str, orig: Callable) -> Callable:
    def loss(input, target, *args, **kwargs):
        p = _ACTIVE
        watch = (p is not None and not p._suspend and isinstance(input, torch.Tensor)
                 and isinstance(target, torch.Tensor))
        if watch:
            try:
                p._loss_pre(name, input, target, kwargs)
            except Exception as exc:
                p._internal(exc)
        out = orig(input, target, *args, **kwargs)
        if watch:
            try:
                p._loss_post(name, input, target, out)
            except Exception as exc:
                p._internal(exc)
        return out

    loss.__wrapped__ = orig
    loss.__name__ = orig.__name__
    loss.__doc__ = orig.__doc__
    return loss


def _make_module_init(orig: Callable) -> Callable:
    def __init__(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        p = _ACTIVE
        if p is not None and p._depth > 0 and not p._suspend:
            try:
                p._module_built(self)
            except Exception as exc:
                p._internal(exc)

    __init__.__wrapped__ = orig
    return __init__


def _make_module_zero_grad(orig: Callable) -> Callable:
    def zero_grad(self, *args, **kwargs):
        p = _ACTIVE
        if p is not None and not p._suspend:
            p._on_zero(None)
            if p._polluted:
                p._unpollute([id(t) for t in self.parameters()])
        return orig(self, *args, **kwargs)

    zero_grad.__wrapped__ = orig
    return zero_grad


def _make_module_load(orig: Callable) -> Callable:
    def load_state_dict(self, state_dict, *args, **kwargs):
        p = _ACTIVE
        if p is not None and not p._suspend:
            try:
                p._on_module_load(self, state_dict)
            except Exception as exc:
                p._internal(exc)
        return orig(self, state_dict, *args, **kwargs)

    load_state_dict.__wrapped__ = orig
    return load_state_dict


def _make_opt_init(orig: Callable) -> Callable:
    def __init__(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        p = _ACTIVE
        if p is not None and not p._suspend:
            try:
                p._opt_created(self)
            except Exception as exc:
                p._internal(exc)

    __init__.__wrapped__ = orig
    return __init__


def _make_opt_zero_grad(orig: Callable) -> Callable:
    def zero_grad(self, *args, **kwargs):
        p = _ACTIVE
        if p is not None and not p._suspend:
            p._on_zero(self)
        return orig(self, *args, **kwargs)

    zero_grad.__wrapped__ = orig
    return zero_grad


def _make_opt_load(orig: Callable) -> Callable:
    def load_state_dict(self, *args, **kwargs):
        p = _ACTIVE
        if p is not None and not p._suspend:
            p._on_opt_load(self)
        return orig(self, *args, **kwargs)

    load_state_dict.__wrapped__ = orig
    return load_state_dict


def _make_save(orig: Callable) -> Callable:
    def save(obj, f, *args, **kwargs):
        p = _ACTIVE
        if p is not None and not p._suspend:
            try:
                p._on_save(obj, f)
            except Exception as exc:
                p._internal(exc)
        return orig(obj, f, *args, **kwargs)

    save.__wrapped__ = orig
    save.__doc__ = orig.__doc__
    return save


def _make_load(orig: Callable) -> Callable:
    def load(f, *args, **kwargs):
        result = orig(f, *args, **kwargs)
        p = _ACTIVE
        if p is not None and not p._suspend:
            try:
                p._on_load(result, f)
            except Exception as exc:
                p._internal(exc)
        return result

    load.__wrapped__ = orig
    load.__doc__ = orig.__doc__
    return load


def _make_dl_init(orig: Callable) -> Callable:
    def __init__(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        p = _ACTIVE
        if p is not None and not p._suspend:
            try:
                p._on_loader_init(self)
            except Exception as exc:
                p._internal(exc)

    __init__.__wrapped__ = orig
    return __init__


def _make_dl_iter(orig: Callable) -> Callable:
    def __iter__(self):
        it = orig(self)
        p = _ACTIVE
        if p is not None and not p._suspend:
            try:
                p._on_loader_iter(self, it)
            except Exception as exc:
                p._internal(exc)
        return it

    __iter__.__wrapped__ = orig
    return __iter__


def _make_dl_next(orig: Callable) -> Callable:
    def __next__(self):
        p = _ACTIVE
        if p is None or p._suspend:
            return orig(self)
        st = self.__dict__.get("_torchtutor")
        if st is not None and p._ff:
            if st.ff_served >= 1:
                raise StopIteration
            st.ff_served += 1
        p._budget()
        batch = orig(self)
        if st is not None:
            p._cur_loader = st.loader
            st.loader.batches += 1
        return batch

    __next__.__wrapped__ = orig
    return __next__


def _make_grad_property(base: Any) -> property:
    """Tensor.grad, plus a note when it is read on a non-leaf that has no retained grad."""

    def fget(self):
        g = base.__get__(self)
        if g is None:
            p = _ACTIVE
            if p is not None and p._view_on and not p._suspend and self.grad_fn is not None \
                    and not self.retains_grad:
                try:
                    p._nonleaf_grad(self)
                except Exception as exc:
                    p._internal(exc)
        return g

    def fset(self, value):
        base.__set__(self, value)

    def fdel(self):
        base.__delete__(self)

    return property(fget, fset, fdel, base.__doc__)


def _make_reshape(orig: Callable) -> Callable:
    def reshape(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        p = _ACTIVE
        if p is not None and p._view_on and not p._suspend:
            try:
                p._check_reshape(self, out)
            except Exception as exc:
                p._internal(exc)
        return out

    reshape.__wrapped__ = orig
    return reshape


def instrument(**kwargs: Any) -> Probe:
    """A :class:`Probe` to use as a context manager: ``with instrument() as session: ...``."""
    return Probe(**kwargs)

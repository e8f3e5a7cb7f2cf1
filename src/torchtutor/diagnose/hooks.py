"""How the probe hears of a program's calls: what it patches, and the one guarded wrapper.

:class:`Hooks` is the half of :class:`~.probe.Probe` that touches PyTorch. ``install()``
registers the global module and optimizer hooks and replaces a few functions with
:func:`guarded` wrappers; each handler here turns a raw call into the records the probe keeps
(the clock, the counters, the models, optimizers and loaders) and into an event for the
detectors (``self._emit("on_...", ...)``). ``uninstall()`` puts everything back.
"""

from __future__ import annotations

import dis
import itertools
import sys
import time
import weakref
from typing import Any, Callable

import torch
import torch.nn as nn
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from torch.utils.data import DataLoader, SequentialSampler
from torch.utils.data import dataloader as _dl_module

from .detectors.base import (CLASSIFICATION_LOSSES, ELEMENTWISE_LOSSES, MADE_AT, ModelRecord, OptRecord,
                             caller_frame, dense, first_tensor)
from .findings import Location, user_location

_LOSS_BASE = nn.modules.loss._Loss
_RESHAPES = ((torch.Tensor, "view"), (torch.Tensor, "reshape"), (torch, "reshape"))
#: Reductions that turn a model's outputs into a metric (predicted classes, top-k).
_METRICS = tuple((owner, name) for owner in (torch.Tensor, torch) for name in ("argmax", "max", "topk"))
#: Functions that make probabilities or activations: the window records on the output's graph
#: node where in the user's code each ran (a mistake seen at the loss can then name its cause).
_MAKERS = tuple((owner, name) for owner, names in (
    (torch.nn.functional, ("softmax", "log_softmax", "relu", "sigmoid", "tanh")),
    (torch, ("softmax", "log_softmax", "relu", "sigmoid", "tanh")),
    (torch.Tensor, ("softmax", "log_softmax", "relu", "sigmoid", "tanh"))) for name in names)
#: Layers whose output carries the line that built them (nn.Softmax() in a Sequential).
_MAKER_LAYERS = (nn.Softmax, nn.LogSoftmax, nn.ReLU, nn.Sigmoid, nn.Tanh, nn.ReLU6, nn.Hardtanh, nn.Softplus)
#: Batched products watched in the window: where attention heads meet (a tensor whose heads
#: were folded into the batch dimension by a view shows here as an operand).
_PRODUCTS = ((torch, "matmul"), (torch, "bmm"), (torch, "baddbmm"), (torch, "einsum"), (torch.Tensor, "matmul"),
             (torch.Tensor, "bmm"), (torch.Tensor, "__matmul__"), (torch.Tensor, "__rmatmul__"),
             (torch.nn.functional, "scaled_dot_product_attention"))
#: Tensor operators watched in the window, with the symbol a message shows.
_OPERATORS = {"__sub__": "-", "__rsub__": "-", "__add__": "+", "__radd__": "+", "__mul__": "*", "__rmul__": "*",
              "__truediv__": "/", "__rtruediv__": "/"}

#: Backward passes watched parameter by parameter at the start (at least two: a stale
#: gradient shows only when a second backward adds to the first).
MONITOR_BACKWARDS = 5
#: Steps between the sampled gradient-norm and graph checks later on (rare enough to be free).
SAMPLE_EVERY = 100
#: The Tensor.view/reshape and .grad wrappers cost on every call, so they come off after this
#: many optimizer steps (or twice as many backward passes without steps).
VIEW_WINDOW_STEPS = 20
#: Every this many steps the window opens again for WINDOW_SAMPLE_STEPS steps, so that code
#: which starts late (a second model, a new phase of training) is seen too.
WINDOW_SAMPLE_STEPS = 2
#: Fast-forward starts when this share of the time left at the first training step is spent,
#: leaving the rest for the evaluation code after the training loop. Counted from the first
#: step, so that a slow start (imports, building a dataset) on a busy machine does not
#: shorten the training the detectors need to watch.
FAST_FORWARD_AT = 0.5
#: Once fast-forwarding, a run may take this many more steps before it is stopped outright (a
#: loop that never ends on its own, such as an endless generator over a DataLoader, stops here).
FAST_FORWARD_STEPS = 2_000
#: The doctor's step budget when --max-steps is not given: after this many optimizer steps each
#: pass over a DataLoader yields one batch. Every detector has decided long before (they watch
#: the first steps and samples every SAMPLE_EVERY steps), and a budget in steps, unlike one in
#: seconds, shortens the same run at the same step on every machine and every run.
FAST_FORWARD_AFTER_STEPS = 1_000
#: When half of --max-seconds is spent first (slow steps), fast-forward waits for the next
#: step count on this grid (1, 1.5, 2, 3, 5, 7.5 times a power of ten), so that two runs at
#: slightly different speeds still shorten the run at the same step.
ROUND_STEPS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5)


#: The installed probe (one per process), read by every wrapper.
_ACTIVE: Any = None


def round_step(steps: int) -> int:
    """The smallest step count on the ROUND_STEPS grid that is at least ``steps``."""
    if steps <= 1:
        return 1
    power = 1
    while True:
        for m in ROUND_STEPS:
            value = int(m * power)
            if value >= steps:
                return value
        power *= 10


class StopRun(BaseException):
    """Raised from a probe hook to end a run whose step or time budget is spent.

    A BaseException, so that ``except Exception`` in the user's code lets it through.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LoaderRecord:
    """A DataLoader: how it samples, and how many batches and steps it fed."""

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

    def __init__(self, loader: LoaderRecord):
        self.loader = loader
        self.ff_served = 0


class _Child:
    """A submodule that runs outside any hooked call because its parent's forward was
    called directly."""

    __slots__ = ("owner",)

    def __init__(self, owner: nn.Module):
        self.owner = owner


class Hooks:  # noqa: D101  (the state lives in Probe.__init__)
    """Install, patch and translate calls into events (mixed into :class:`~.probe.Probe`)."""

    # ------------------------------------------------------------------ lifecycle
    def install(self) -> "Hooks":
        global _ACTIVE
        if _ACTIVE is not None:
            raise RuntimeError("another torchtutor probe is already installed in this process")
        _ACTIVE = self
        self._installed = True
        self._t0 = time.monotonic()
        if self.max_seconds:
            self._deadline = self._t0 + self.max_seconds
            # the half-time fast-forward is armed at the first training step (Probe.budget)
        mm = nn.modules.module
        self._handles.append(mm.register_module_forward_pre_hook(self._fwd_pre))
        self._handles.append(mm.register_module_forward_hook(self._fwd_post, always_call=True))
        self._handles.append(mm.register_module_parameter_registration_hook(self._param_registered))
        self._handles.append(register_optimizer_step_pre_hook(self._step_pre))
        self._handles.append(register_optimizer_step_post_hook(self._step_post))
        self._patch(torch.autograd, "backward", guarded(torch.autograd.backward, before=Hooks._on_backward))
        F = torch.nn.functional
        for name in CLASSIFICATION_LOSSES + ELEMENTWISE_LOSSES:
            self._patch(F, name, guarded(getattr(F, name), before=_loss_before(name), after=_loss_after(name)))
        self._patch(nn.Module, "__init__", guarded(nn.Module.__init__, after=Hooks._on_module_init))
        self._patch(nn.Module, "zero_grad", guarded(nn.Module.zero_grad, before=Hooks._on_module_zero_grad))
        self._patch(nn.Module, "load_state_dict", guarded(nn.Module.load_state_dict, before=Hooks._on_module_load))
        opt_cls = torch.optim.Optimizer
        self._patch(opt_cls, "__init__", guarded(opt_cls.__init__, after=Hooks._on_opt_init))
        self._patch(opt_cls, "zero_grad", guarded(opt_cls.zero_grad, before=Hooks._on_opt_zero_grad))
        self._patch(opt_cls, "load_state_dict", guarded(opt_cls.load_state_dict, before=Hooks._on_opt_load))
        self._patch(torch, "save", guarded(torch.save, before=Hooks._on_save))
        self._patch(torch, "load", guarded(torch.load, after=Hooks._on_load))
        self._patch(DataLoader, "__init__", guarded(DataLoader.__init__, after=Hooks._on_loader_init))
        self._patch(DataLoader, "__iter__", guarded(DataLoader.__iter__, after=Hooks._on_loader_iter))
        for owner, name in _METRICS:
            self._patch(owner, name, guarded(getattr(owner, name), after=Hooks._on_metric))
        self._patch(itertools, "cycle", _cycle)
        base_iter = _dl_module._BaseDataLoaderIter
        self._patch(base_iter, "__next__", guarded(base_iter.__next__, before=Hooks._on_next_before,
                                                   after=Hooks._on_next_after))
        self._view_window(True)
        return self

    def _patch(self, owner: Any, name: str, new: Any) -> None:
        had_own = name in getattr(owner, "__dict__", {})
        old = owner.__dict__[name] if had_own else getattr(owner, name)
        setattr(owner, name, new)
        self._patches.append((owner, name, old, had_own))

    def _view_window(self, on: bool) -> None:
        """Wrappers that cost something on every call, kept on for a few steps only (the first
        ones, those after a new model's first call, and a couple every SAMPLE_EVERY steps):
        Tensor.view/reshape (reordered dimensions), the batched products (attention heads
        folded into the batch by a view), the arithmetic operators (a loss written by hand that broadcasts) and the Tensor.grad property (.grad read on a tensor that an
        update with tracking on turned into a non-leaf)."""
        if on and not self.view_on:
            self.view_on = True
            for owner, name in _RESHAPES:
                self._patch(owner, name, guarded(getattr(owner, name), after=Hooks._on_reshape))
            for owner, name in _MAKERS:
                self._patch(owner, name, guarded(getattr(owner, name), after=Hooks._on_made))
            for name in _OPERATORS:
                self._patch(torch.Tensor, name, guarded(getattr(torch.Tensor, name), after=_binary_after(name)))
            for owner, name in _PRODUCTS:
                self._patch(owner, name, guarded(getattr(owner, name), after=Hooks._on_product))
            base = torch._C.TensorBase.__dict__["grad"]
            getter = guarded(base.__get__, after=Hooks._on_grad_read)
            self._patch(torch.Tensor, "grad", property(getter, base.__set__, base.__delete__, base.__doc__))
        elif not on and self.view_on:
            self.view_on = False
            windowed = {(id(o), n) for o, n in _RESHAPES + _MAKERS + _PRODUCTS} | \
                {(id(torch.Tensor), n) for n in (*_OPERATORS, "grad")}
            keep = []
            for owner, name, old, had_own in self._patches:
                if (id(owner), name) in windowed:
                    _restore(owner, name, old, had_own)
                else:
                    keep.append((owner, name, old, had_own))
            self._patches = keep

    def _open_window(self, steps: int) -> None:
        """Watch the windowed calls for the next ``steps`` optimizer steps."""
        self._window_steps = max(self._window_steps, self.n_steps + steps)
        self._window_backwards = max(self._window_backwards, self.n_backward + 2 * steps)
        if self._installed:
            self._view_window(True)

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
        self.view_on = False
        self._emit("on_uninstall")
        self._installed = False
        if _ACTIVE is self:
            _ACTIVE = None

    # ------------------------------------------------------------------ module hooks
    def _fwd_pre(self, mod: nn.Module, args: tuple) -> None:
        if self._suspend:
            return None
        d = self._depth
        self._depth = d + 1
        try:
            if d == 0:
                self._top_call(mod, args)
            elif self.deep is not None:
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
                m = self._cur_model
                if m is not None and m.module is mod:
                    self._cur_model = None
                    self.last_model = m
                    self._emit("on_model_out", m, out)
                if self._deep_owner is mod:
                    self.deep = None
                    self._deep_owner = None
            else:
                if isinstance(mod, _MAKER_LAYERS):
                    fn = getattr(out, "grad_fn", None)
                    loc = self.built_at.get(mod)
                    if fn is not None and loc is not None:
                        fn.metadata[MADE_AT] = loc
                if self.deep is not None:
                    self._emit("on_submodule_out", self.deep, mod, out)
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
                kind = ModelRecord(mod, len(self.models))
                self.models.append(kind)
                if len(self.models) > 1:
                    self._open_window(VIEW_WINDOW_STEPS)
                kind.loaded = any(other is mod for other in self.loaded_modules)
                self._emit("on_model_found", kind)
        self._kinds[mod] = kind
        return kind

    def _direct_forward_owner(self, mod: nn.Module) -> nn.Module | None:
        frame = caller_frame()
        if frame is None or frame.f_code.co_name != "forward":
            return None
        owner = frame.f_locals.get("self")
        if not isinstance(owner, nn.Module) or owner is mod:
            return None
        if not any(child is mod for child in owner._modules.values()):
            return None
        loc = user_location(frame.f_back) if frame.f_back is not None else None
        self._emit("on_direct_forward", owner, mod, loc)
        return owner

    def _top_call(self, mod: nn.Module, args: tuple) -> None:
        kind = self._kinds.get(mod)
        if kind is None:
            kind = self._classify(mod)
        if kind is False or isinstance(kind, _Child):
            return
        self.budget()
        m: ModelRecord = kind
        m.calls += 1
        self.n_forward += 1
        self.last_forward_tick = self.tick
        self.event("F")
        x = first_tensor(args)
        grad = torch.is_grad_enabled()
        if m.calls == 1:
            m.first_loc = user_location()
            tensors = [a for a in args if isinstance(a, torch.Tensor)]
            m.input_shapes = [[int(d) for d in t.shape] for t in tensors]
            if tensors and len(tensors) == len(args) and all(dense(t) for t in tensors):
                m.first_input = [t.detach()[:2].clone() if t.dim() > 0 else t.detach().clone() for t in tensors]
        if grad and m.grad_calls < 2 and self.deep is None:
            m.grad_calls += 1
            self.deep = m
            self._deep_owner = mod
        self._cur_model = m
        self._emit("on_model_call", m, mod, x, grad)

    def _deep_call(self, mod: nn.Module, args: tuple) -> None:
        m = self.deep
        mid = id(mod)
        has = self._direct_params.get(mid)
        if has is None:
            has = any(v is not None for v in mod._parameters.values())
            self._direct_params[mid] = has
        if has and mid not in m.order_ids:
            m.order_ids.add(mid)
            m.order.append(m.names.get(mid, type(mod).__name__))
        self._emit("on_submodule_call", m, mod, args)

    def _param_registered(self, module: nn.Module, name: str, param: Any) -> None:
        if self._suspend or self._depth == 0 or param is None:
            return None
        self._emit("on_param_registered", module, param)
        return None

    # ------------------------------------------------------------------ optimizer hooks
    def _step_pre(self, opt, args, kwargs) -> None:
        if self._suspend:
            return None
        self.budget()
        try:
            o = self.opt_rec(opt)
            self.tick += 1
            # args holds the optimizer itself first, then step()'s own arguments
            closure = (len(args) > 1 and args[1] is not None) or bool(kwargs and kwargs.get("closure") is not None)
            if self._cur_loader is not None and self._fresh_batch:
                self._cur_loader.steps += 1  # a step fed by a batch drawn since the last step
            self._fresh_batch = False
            self.event("S")
            self._emit("on_step", o, closure)
            o.steps += 1
            self.n_steps += 1
            if self.n_steps % self.sample_every == 0:
                self._open_window(WINDOW_SAMPLE_STEPS)
            elif self.view_on and self.n_steps >= self._window_steps:
                self._view_window(False)
            o.last_step_tick = self.tick
            self.last_step_tick = self.tick
        except StopRun:
            raise
        except Exception as exc:
            self._internal(exc)
        return None

    def _step_post(self, opt, args, kwargs) -> None:
        if self._suspend:
            return None
        self._emit("on_step_done")
        return None

    # ------------------------------------------------------------------ wrapped calls
    # Each takes the wrapped call's own arguments (``args``, ``kwargs``) and, after the
    # call, its result; :func:`guarded` keeps their errors away from the user's code.
    def _on_backward(self, args: tuple, kwargs: dict) -> None:
        tensors = args[0] if args else kwargs.get("tensors")
        grad = args[1] if len(args) > 1 else kwargs.get("grad_tensors", kwargs.get("grad_variables"))
        if self.n_steps == 0:
            self.budget()
        root = first_tensor(tensors) if not isinstance(tensors, torch.Tensor) else tensors
        self.n_backward += 1
        self.tick += 1
        self.last_bw_tick = self.tick
        self.event("B")
        if root is None:
            return
        if self.n_backward <= 3 or self.backward_loc is None:
            self.backward_loc = user_location()
        n = self.n_backward
        self.walking = n <= self.monitor or self._walk_next or n % self.sample_every == 0
        self._emit("on_backward", root, grad)
        if self.view_on and n >= self._window_backwards:
            self._view_window(False)
        if self.walking:
            self._walk_next = False
            leaves = _graph_leaves(root)
            opt_ids = self.all_opt_ids()
            params = [t for t in leaves if isinstance(t, nn.Parameter) or id(t) in opt_ids]
            self._emit("on_graph", root, leaves, params)

    def _on_module_init(self, result: Any, args: tuple, kwargs: dict) -> None:
        if isinstance(args[0], _MAKER_LAYERS):
            self.built_at[args[0]] = user_location()
        if self._depth > 0:
            self._emit("on_module_built", args[0])

    def _on_made(self, out: Any, args: tuple, kwargs: dict) -> None:
        fn = getattr(out, "grad_fn", None)
        if fn is not None and self.view_on and MADE_AT not in fn.metadata:
            fn.metadata[MADE_AT] = user_location()

    def _on_module_zero_grad(self, args: tuple, kwargs: dict) -> None:
        self._on_zero(None, args[0])

    def _on_opt_zero_grad(self, args: tuple, kwargs: dict) -> None:
        self._on_zero(self.opt_rec(args[0]), None)

    def _on_zero(self, o: OptRecord | None, module: nn.Module | None) -> None:
        self.tick += 1
        self.n_zero_grad += 1
        self.event("Z")
        if o is None:
            self.module_zero_tick = self.tick
        else:
            o.last_zero_tick = self.tick
        self._emit("on_zero_grad", o, module)

    def _on_opt_init(self, result: Any, args: tuple, kwargs: dict) -> None:
        self.opt_rec(args[0]).loc = user_location()

    def _on_opt_load(self, args: tuple, kwargs: dict) -> None:
        self._emit("on_opt_load", self.opt_rec(args[0]))

    def _on_module_load(self, args: tuple, kwargs: dict) -> None:
        state_dict = args[1] if len(args) > 1 else kwargs.get("state_dict")
        self._emit("on_module_load", args[0], state_dict)

    def _on_save(self, args: tuple, kwargs: dict) -> None:
        obj = args[0] if args else kwargs.get("obj")
        f = args[1] if len(args) > 1 else kwargs.get("f")
        self._emit("on_save", obj, f)

    def _on_load(self, result: Any, args: tuple, kwargs: dict) -> None:
        self._emit("on_load", result, args[0] if args else kwargs.get("f"))

    def _on_loss(self, name: str, args: tuple, kwargs: dict, result: Any = None, after: bool = False) -> None:
        x = args[0] if args else kwargs.get("input")
        t = args[1] if len(args) > 1 else kwargs.get("target")
        if not (isinstance(x, torch.Tensor) and isinstance(t, torch.Tensor)):
            return
        if after:
            self._emit("on_loss_done", name, x, t, result)
        else:
            self.event("L")
            self._emit("on_loss", name, x, t, kwargs)

    def _on_loader_init(self, result: Any, args: tuple, kwargs: dict) -> None:
        rec = LoaderRecord(args[0], user_location())
        self._loaders[args[0]] = rec
        self.loaders.append(rec)

    def _on_loader_iter(self, it: Any, args: tuple, kwargs: dict) -> None:
        loader = args[0]
        rec = self._loaders.get(loader)
        if rec is None:
            rec = LoaderRecord(loader, None)
            self._loaders[loader] = rec
            self.loaders.append(rec)
        rec.passes += 1
        try:
            it.__dict__["_torchtutor"] = _IterState(rec)
        except Exception:
            pass

    def _on_next_before(self, args: tuple, kwargs: dict) -> None:
        self.budget()
        st = args[0].__dict__.get("_torchtutor")
        if st is not None and self._ff:
            if st.ff_served >= 1:
                raise StopIteration  # fast-forward: one batch per pass over the loader
            st.ff_served += 1

    def _on_next_after(self, batch: Any, args: tuple, kwargs: dict) -> None:
        st = args[0].__dict__.get("_torchtutor")
        if st is not None:
            self._cur_loader = st.loader
            self._fresh_batch = True
            st.loader.batches += 1

    def _on_reshape(self, out: Any, args: tuple, kwargs: dict) -> None:
        if self.view_on and args:
            self._emit("on_reshape", args[0], out)

    def _on_product(self, out: Any, args: tuple, kwargs: dict) -> None:
        if self.view_on:
            operands = [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]
            if operands:
                self._emit("on_product", operands, out)

    def _on_binary(self, name: str, out: Any, args: tuple) -> None:
        if self.view_on and len(args) == 2:
            a, b = (args[1], args[0]) if name.startswith("__r") else args
            self._emit("on_binary", _OPERATORS[name], a, b, out)

    def _on_metric(self, result: Any, args: tuple, kwargs: dict) -> None:
        if args and isinstance(args[0], torch.Tensor):
            self._emit("on_metric", args[0])

    def _on_grad_read(self, g: Any, args: tuple, kwargs: dict) -> None:
        t = args[0]
        if g is None and self.view_on and t.grad_fn is not None and not t.retains_grad:
            self._emit("on_grad_read", t)


# --------------------------------------------------------------------------- endless loaders
_ORIGINAL_CYCLE = itertools.cycle
_FOR_ITER = dis.opmap["FOR_ITER"]


class _cycle:
    """``itertools.cycle`` while the probe is installed: the real one, except over a DataLoader,
    where a :class:`_LoaderCycle` lets fast-forward end a ``for`` loop over the endless cycle.
    A class, as the real one is (torch._dynamo registers a substitute for it on import)."""

    def __new__(cls, iterable: Any) -> Any:
        if isinstance(iterable, DataLoader):
            return _LoaderCycle(iterable)
        return _ORIGINAL_CYCLE(iterable)


class _LoaderCycle:
    """``itertools.cycle(loader)``, item for item (the first pass's batches are saved and
    replayed), with two differences: a replayed batch counts as a batch of its loader, and once
    the run is fast-forwarding, a ``for`` loop over the cycle gets one more batch and then the
    end of the iteration, as a pass over a DataLoader does, so the code after it (evaluation,
    saving) still runs. Called through ``next()``, it goes on cycling: stopping there would
    crash the script, and the fast-forward step limit ends such a run instead."""

    def __init__(self, loader: DataLoader):
        self._loader = loader
        self._it: Any = iter(loader)
        self._saved: list[Any] = []
        self._i = 0
        self._ff_served = 0

    def __iter__(self) -> "_LoaderCycle":
        return self

    def __next__(self) -> Any:
        p = _ACTIVE
        if p is not None and not p._suspend:
            p.budget()
            if p._ff and _called_by_for_loop():
                if self._ff_served >= 1:
                    raise StopIteration
                self._ff_served += 1
        if self._it is not None:
            try:
                item = next(self._it)
            except StopIteration:
                self._it = None
            else:
                self._saved.append(item)
                return item
        if not self._saved:
            raise StopIteration
        item = self._saved[self._i % len(self._saved)]
        self._i += 1
        if p is not None and not p._suspend:
            rec = p._loaders.get(self._loader)
            if rec is not None:
                p._cur_loader = rec
                p._fresh_batch = True
                rec.batches += 1
        return item


def _called_by_for_loop() -> bool:
    """Is the innermost Python frame outside this module iterating with a ``for`` loop (or a
    comprehension), rather than calling ``next()``?"""
    frame = sys._getframe(2)
    try:
        return frame.f_code.co_code[frame.f_lasti] == _FOR_ITER
    except Exception:
        return False


# --------------------------------------------------------------------------- helpers
def _restore(owner: Any, name: str, old: Any, had_own: bool) -> None:
    if had_own:
        setattr(owner, name, old)
    else:
        try:
            delattr(owner, name)
        except AttributeError:
            pass


def _graph_leaves(root: torch.Tensor) -> list[torch.Tensor]:
    """The leaf tensors a backward pass from ``root`` reaches."""
    leaves: list[torch.Tensor] = []
    if root.grad_fn is None:
        if root.requires_grad:
            leaves.append(root)
        return leaves
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
    return leaves


def guarded(orig: Callable, before: Callable | None = None, after: Callable | None = None) -> Callable:
    """``orig`` wrapped so that the active probe hears of each call: ``before(probe, args,
    kwargs)`` runs first, ``after(probe, result, args, kwargs)`` once ``orig`` returned.

    The wrapper is the only way PyTorch's functions reach the probe, and it is guarded: an
    error inside the probe is recorded in ``probe.internal_errors`` and never reaches the
    user's code. Only the probe's own control flow passes: :class:`StopRun` (the budget is
    spent) and StopIteration from a DataLoader's ``__next__`` (fast-forward)."""

    def wrapper(*args, **kwargs):
        p = _ACTIVE
        if p is None or p._suspend:
            return orig(*args, **kwargs)
        if before is not None:
            try:
                before(p, args, kwargs)
            except (StopRun, StopIteration):
                raise
            except Exception as exc:
                p._internal(exc)
        result = orig(*args, **kwargs)
        if after is not None and not p._suspend:
            try:
                after(p, result, args, kwargs)
            except StopRun:
                raise
            except Exception as exc:
                p._internal(exc)
        return result

    wrapper.__wrapped__ = orig
    for attr in ("__name__", "__qualname__", "__doc__"):
        try:
            setattr(wrapper, attr, getattr(orig, attr))
        except (AttributeError, TypeError):
            pass
    return wrapper


def _loss_before(name: str) -> Callable:
    return lambda p, args, kwargs: p._on_loss(name, args, kwargs)


def _loss_after(name: str) -> Callable:
    return lambda p, result, args, kwargs: p._on_loss(name, args, kwargs, result, after=True)


def _binary_after(name: str) -> Callable:
    return lambda p, result, args, kwargs: p._on_binary(name, result, args)


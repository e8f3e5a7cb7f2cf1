"""The training loop: clear, compute, use. Steps without a fresh gradient, steps that never
run, backward passes that never run or reach no parameter, parameters the optimizer does not
hold or cannot train, and loss graphs kept alive across steps.

Hooks: the optimizer's step (against the clock of the last backward and the last clear), the
graph of sampled backward passes (which parameters it reaches), a sentinel in each loss node
(how many loss graphs are alive), and ``.grad`` read on a non-leaf during the first steps.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
import torch.nn as nn

from ..findings import user_location
from .base import INFO, WARNING, Detector, OptRecord, names_list, shape
from .modules import ModuleDetector

#: Share of an optimizer's steps without a fresh gradient that makes the order wrong (a
#: single empty step, e.g. at a resume, is not a pattern).
EMPTY_STEP_SHARE = 0.5
#: Loss graphs born more than this many steps ago and still alive are being kept.
LIVE_LOSS_AGE = 2
#: ... and this many of them at once are a leak, not a loss kept for one more log line.
LIVE_LOSS_LEAK = 3
#: Steps during which the live graphs are counted at every step, then every tenth.
LIVE_LOSS_WATCH = 50
#: Steps at which the optimizer's parameters are inspected: the first few, then every tenth.
INSPECT_FIRST, INSPECT_EVERY = 3, 10
#: Backward passes after which no optimizer step at all means the step is missing.
MISSING_STEP_AFTER = 3
#: A tensor outside any module that the loss reaches in this many walked backward passes is
#: a learnable one (an input made fresh each step, as in adversarial training, is new each time).
LOOSE_SIGHTINGS = 2
#: Parameter names shown in a message before "...".
NAMES_SHOWN = 6


class _LossSentinel:
    """Lives in a loss node's metadata: counts, per step of birth, the loss graphs alive."""

    __slots__ = ("live", "birth")

    def __init__(self, live: dict[int, int], birth: int):
        self.live = live
        self.birth = birth
        live[birth] = live.get(birth, 0) + 1

    def __del__(self):
        live = self.live
        n = live.get(self.birth, 0) - 1
        if n > 0:
            live[self.birth] = n
        else:
            live.pop(self.birth, None)


class _OptLoop:
    """What the loop detector knows of one optimizer."""

    __slots__ = ("empty_steps", "empty_first", "empty_loc", "wiped", "rg_history", "frozen_steps", "frozen_loc")

    def __init__(self):
        self.empty_steps = 0
        self.empty_first = False
        self.empty_loc = None
        self.wiped = 0
        self.rg_history: list[tuple[int, int, int]] = []
        self.frozen_steps = 0
        self.frozen_loc = None


class LoopDetector(Detector):
    ids = ("step-before-backward", "missing-backward", "missing-optimizer-step", "all-parameters-frozen",
           "optimizer-missing-params", "detached-loss", "non-scalar-backward", "loss-accumulated-with-graph",
           "update-outside-no-grad")

    def __init__(self, hub):
        super().__init__(hub)
        self.per_opt: dict[OptRecord, _OptLoop] = {}
        self.reached: list[torch.Tensor] = []
        self.reached_fresh = False
        self.first_versions: dict[int, tuple[torch.Tensor, int]] = {}
        self.live_losses: dict[int, int] = {}
        self.max_live = 0
        self.max_live_step = 0
        self.last_backward_shape: tuple | None = None
        self.nonleaf_seen = False
        self.loose: dict[int, list] = {}  # id -> [weakref, sightings, version at first sight]

    def _state(self, o: OptRecord) -> _OptLoop:
        st = self.per_opt.get(o)
        if st is None:
            st = self.per_opt[o] = _OptLoop()
        return st

    # ------------------------------------------------------------------ events
    def on_step(self, o: OptRecord, closure: bool) -> None:
        hub = self.hub
        st = self._state(o)
        if not closure:
            zero_tick = max(o.last_zero_tick, hub.module_zero_tick)
            if not hub.last_bw_tick > max(zero_tick, o.last_step_tick):
                st.empty_steps += 1
                if o.steps == 0:
                    st.empty_first = True
                if zero_tick > hub.last_bw_tick > o.last_step_tick:
                    st.wiped += 1
                if st.empty_loc is None:
                    st.empty_loc = user_location()
        if o.steps < INSPECT_FIRST or o.steps % INSPECT_EVERY == 0:
            self._inspect_step(o, st)

    def on_step_done(self) -> None:
        n = self.hub.n_steps
        if self.max_live < LIVE_LOSS_LEAK and (n <= LIVE_LOSS_WATCH or n % 10 == 0):
            old = sum(c for birth, c in list(self.live_losses.items()) if birth < n - LIVE_LOSS_AGE)
            if old > self.max_live:
                self.max_live = old
                self.max_live_step = n

    def on_backward(self, root: torch.Tensor, grad: Any) -> None:
        self.last_backward_shape = tuple(root.shape)
        if grad is None and root.requires_grad and root.numel() != 1:
            self.report("non-scalar-backward", WARNING, "shape", user_location(), key="shape",
                        evidence={"shape": shape(root)}, shape=shape(root), numel=root.numel())
        if root.grad_fn is not None:
            self._tag_loss(root.grad_fn)

    def on_loss_done(self, name: str, x: torch.Tensor, t: torch.Tensor, out: Any) -> None:
        if isinstance(out, torch.Tensor) and out.grad_fn is not None and out.dim() == 0:
            self._tag_loss(out.grad_fn)

    def on_graph(self, root: torch.Tensor, leaves: list, params: list) -> None:
        hub = self.hub
        self.reached = params
        self.reached_fresh = True
        if not self.first_versions:
            self.first_versions = {id(p): (p, p._version) for p in params}
        if hub.opts:
            in_opt = hub.all_opt_ids()
            for t in leaves:
                if t.requires_grad and not isinstance(t, nn.Parameter) and id(t) not in in_opt:
                    self._sighted(t)
        if not params and root.requires_grad and (hub.models or hub.opts):
            variant = "leaf" if root.grad_fn is None else "graph"
            self.report("detached-loss", WARNING, variant, hub.backward_loc, key="detached",
                        evidence={"grad_fn": root.grad_fn.name() if root.grad_fn is not None else None,
                                  "leaves": len(leaves)}, leaves=len(leaves))

    def on_grad_read(self, t: torch.Tensor) -> None:
        loc = user_location()
        if loc is None:
            return
        self.nonleaf_seen = True
        self.report("update-outside-no-grad", WARNING, "nonleaf", loc, key="nonleaf",
                    evidence={"shape": shape(t), "grad_fn": t.grad_fn.name()},
                    shape=shape(t), grad_fn=t.grad_fn.name())

    def _sighted(self, t: torch.Tensor) -> None:
        rec = self.loose.get(id(t))
        if rec is not None and rec[0]() is t:
            rec[1] += 1
        elif len(self.loose) < 64:
            try:
                self.loose[id(t)] = [weakref.ref(t), 1, t._version]
            except TypeError:
                pass

    def crash_context(self, ctx: dict[str, Any]) -> None:
        if self.last_backward_shape is not None:
            ctx["backward_shape"] = list(self.last_backward_shape)
        ctx["nonleaf_grad"] = self.nonleaf_seen

    # ------------------------------------------------------------------ evidence
    def _tag_loss(self, node: Any) -> None:
        md = node.metadata
        if "torchtutor.loss" not in md:
            md["torchtutor.loss"] = _LossSentinel(self.live_losses, self.hub.n_steps)

    def _inspect_step(self, o: OptRecord, st: _OptLoop) -> None:
        params = [p for g in o.opt.param_groups for p in g["params"]]
        trainable = sum(1 for p in params if p.requires_grad)
        hist = st.rg_history
        if not hist or hist[-1][1:] != (trainable, len(params)):
            if hist:
                self.hub.request_walk()
            hist.append((self.hub.n_steps, trainable, len(params)))
        if params and trainable == 0:
            st.frozen_steps += 1
            if st.frozen_loc is None:
                st.frozen_loc = user_location()
        if self.reached_fresh:
            self.reached_fresh = False
            self._check_missing_params()

    def _built_in_forward(self, p: torch.Tensor) -> bool:
        return self.hub.detector(ModuleDetector).built_in_forward(p)

    def _check_missing_params(self) -> None:
        hub = self.hub
        if not hub.opts:
            return
        in_opt = hub.all_opt_ids()
        missing = [p for p in self.reached
                   if isinstance(p, nn.Parameter) and id(p) not in in_opt and not self._built_in_forward(p)]
        if not missing:
            return
        names = [hub.pname(p) for p in missing]
        total = sum(p.numel() for p in missing)
        self.report("optimizer-missing-params", WARNING, "missing", hub.backward_loc, key="missing",
                    evidence={"parameters": names, "values": total, "step": hub.n_steps},
                    count=len(missing), values=f"{total:,}", names=names_list(names, NAMES_SHOWN))

    # ------------------------------------------------------------------ decision
    def finish(self, obs: dict) -> None:
        hub = self.hub
        opts = list(hub.opts.values())
        stepped = [o for o in opts if o.steps > 0]
        obs["loop"].update({
            "steps": hub.n_steps, "backward_calls": hub.n_backward, "zero_grad_calls": hub.n_zero_grad,
            "model_forwards": hub.n_forward, "pattern": pattern(hub.events),
            "optimizers": [{"class": o.cls, "steps": o.steps, "lr": _lr(o.opt)} for o in opts],
        })
        for o in stepped:
            self._order_of_steps(o, self._state(o))
        for o in stepped:
            self._frozen(o, self._state(o))
        if opts and not stepped and hub.n_backward >= MISSING_STEP_AFTER:
            changed = any(p._version != v for p, v in self.first_versions.values())
            if not changed:
                o = opts[0]
                self.report("missing-optimizer-step", WARNING, "never", hub.backward_loc, key=o.cls,
                            evidence={"backward_calls": hub.n_backward, "optimizer": o.cls, "steps": 0},
                            backward_calls=hub.n_backward, optimizer=o.cls)
        self._loose_tensors()
        if self.max_live >= LIVE_LOSS_LEAK:
            self.report("loss-accumulated-with-graph", WARNING, "live", hub.backward_loc, key="live",
                        evidence={"graphs_alive": self.max_live, "at_step": self.max_live_step},
                        step=self.max_live_step, alive=self.max_live)

    def _loose_tensors(self) -> None:
        """Tensors outside any module that the loss reached again and again, that no optimizer
        holds and that nothing updated by hand either (their version never moved)."""
        hub = self.hub
        if not hub.opts or not any(o.steps for o in hub.opts.values()):
            return
        in_opt = hub.all_opt_ids()
        found = []
        for ref, seen, version in self.loose.values():
            t = ref()
            if t is not None and seen >= LOOSE_SIGHTINGS and id(t) not in in_opt and t._version == version:
                found.append(t)
        if not found:
            return
        names = [hub.pname(t) for t in found]
        self.report("optimizer-missing-params", WARNING, "loose", hub.backward_loc, key="loose",
                    evidence={"tensors": names, "values": sum(t.numel() for t in found)},
                    count=len(found), names=names_list(names, NAMES_SHOWN), first="tensor")

    def _order_of_steps(self, o: OptRecord, st: _OptLoop) -> None:
        if self.hub.n_backward == 0:
            self.report("missing-backward", WARNING, "never", st.empty_loc or o.loc, key=o.cls,
                        evidence={"steps": o.steps, "backward_calls": 0}, optimizer=o.cls, steps=o.steps)
            return
        empty_ratio = st.empty_steps / o.steps
        if not (st.empty_steps and (empty_ratio >= EMPTY_STEP_SHARE or (st.empty_first and o.steps > 1))):
            return
        if st.wiped and st.wiped >= st.empty_steps / 2:
            variant = "wiped"
        elif empty_ratio >= EMPTY_STEP_SHARE:
            variant = "most_steps"
        else:
            variant = "one_late"
        self.report("step-before-backward", WARNING, variant, st.empty_loc, key=o.cls,
                    evidence={"steps": o.steps, "steps_without_fresh_gradient": st.empty_steps,
                              "zero_grad_between_backward_and_step": st.wiped},
                    wiped=st.wiped, steps=o.steps, empty=st.empty_steps)

    def _frozen(self, o: OptRecord, st: _OptLoop) -> None:
        hist = st.rg_history
        if st.frozen_steps and all(h[1] == 0 for h in hist):
            self.report("all-parameters-frozen", WARNING, "frozen", st.frozen_loc, key=o.cls,
                        evidence={"optimizer": o.cls, "parameters": hist[-1][2]},
                        parameters=hist[-1][2], optimizer=o.cls)
        grew = [h for h in hist if h[1] > hist[0][1]]
        if hist and grew:
            first, later = hist[0], grew[0]
            self.report("all-parameters-frozen", INFO, "staged", None, key=("staged", o.cls),
                        evidence={"optimizer": o.cls, "history": [list(h) for h in hist]},
                        optimizer=o.cls, first_trained=first[1], first_total=first[2], later_trained=later[1],
                        later_total=later[2], later_step=later[0] + 1)


def _lr(opt: torch.optim.Optimizer) -> Any:
    try:
        lr = opt.param_groups[0].get("lr")
        return float(lr) if isinstance(lr, (int, float)) else str(lr)
    except Exception:
        return None


_WORDS = {"F": "forward", "L": "loss", "Z": "zero_grad", "B": "backward", "S": "step"}


def pattern(events: list[str]) -> str | None:
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


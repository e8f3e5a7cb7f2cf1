"""Saving and loading: a whole model pickled instead of its state_dict (a portability
trade-off, reported once as a note), and a run resumed from a checkpoint with a fresh
optimizer.

Hooks: ``torch.save``/``torch.load`` (what was saved where, what a load returned),
``nn.Module.load_state_dict`` with a dict that came from a tracked load, and
``Optimizer.load_state_dict``. The decision waits for the end: a resume is only a resume if
an optimizer with state stepped the loaded model's parameters afterwards.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn

from ..findings import user_location
from .base import INFO, WARNING, Detector, OptRecord, message


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


def _path(f: Any) -> str | None:
    return str(f) if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__") else None


def has_optimizer_state(obj: dict) -> bool:
    if "state" in obj and "param_groups" in obj:
        return True
    return any(isinstance(v, dict) and "state" in v and "param_groups" in v for v in obj.values())


def has_epoch(obj: dict) -> bool:
    return any(isinstance(k, str) and k.lower() in ("epoch", "step", "global_step", "iteration") for k in obj)


class PersistenceDetector(Detector):
    ids = ("whole-model-save", "resume-without-optimizer-state")

    def __init__(self, hub):
        super().__init__(hub)
        self.saved: dict[str, str] = {}
        self.loaded: dict[int, _Loaded] = {}
        self.model_loads: list[tuple[nn.Module, _Loaded, int]] = []
        self.opt_loaded: dict[OptRecord, int] = {}

    def on_save(self, obj: Any, f: Any) -> None:
        path = _path(f)
        mid = "whole-model-save"
        module = obj if isinstance(obj, nn.Module) else None
        inside = None
        if module is None and isinstance(obj, dict):
            for k, v in obj.items():
                if isinstance(v, nn.Module):
                    module, inside = v, k
                    break
        if module is not None:
            self.report(mid, INFO, "save", user_location(), key="pickle",
                        evidence={"class": type(module).__name__, "file": path},
                        cls=type(module).__name__,
                        where=message(mid, "under_key", key=repr(inside)) if inside is not None else "",
                        target=message(mid, "to_file", file=path) if path else "")
        if path is not None:
            kind = "other"
            if isinstance(obj, dict):
                kind = "checkpoint" if has_optimizer_state(obj) or has_epoch(obj) else "state_dict"
            self.saved[path] = kind

    def on_load(self, result: Any, f: Any) -> None:
        path = _path(f)
        loc = user_location()
        mid = "whole-model-save"
        if isinstance(result, nn.Module):
            self.report(mid, INFO, "load", loc, key="pickle",
                        evidence={"class": type(result).__name__, "file": path},
                        cls=type(result).__name__, source=message(mid, "from_file", file=path) if path else "")
            return
        if not isinstance(result, dict):
            return
        rec = _Loaded(path, self.hub.next_tick(), has_optimizer_state(result), has_epoch(result),
                      path is not None and path in self.saved, loc, result)
        self.loaded[id(result)] = rec
        for v in result.values():
            if isinstance(v, dict):
                self.loaded[id(v)] = rec

    def on_module_load(self, module: nn.Module, state_dict: Any) -> None:
        rec = self.loaded.get(id(state_dict))
        if rec is None or rec.obj is None:
            return
        self.model_loads.append((module, rec, self.hub.next_tick()))
        self.hub.model_loaded(module)

    def on_opt_load(self, o: OptRecord) -> None:
        self.opt_loaded[o] = self.hub.next_tick()

    def finish(self, obs: dict) -> None:
        mid = "resume-without-optimizer-state"
        for module, rec, tick in self.model_loads:
            mod_ids = {id(p) for p in module.parameters()}
            for o in self.hub.opts.values():
                if o.steps == 0 or o.last_step_tick <= tick or not (o.param_ids() & mod_ids):
                    continue
                if self.opt_loaded.get(o, 0) > rec.tick:
                    continue
                stateful = any(isinstance(v, torch.Tensor) for st in o.opt.state.values() for v in st.values())
                resume = rec.has_opt or rec.has_epoch
                source = message(mid, "from_file", file=rec.path) if rec.path else ""
                model = type(module).__name__
                if stateful and resume:
                    what = message(mid, "state_not_loaded" if rec.has_opt else "no_state_saved")
                    self.report(mid, WARNING, "resumed", rec.loc, key=(id(module), o.cls),
                                evidence={"model": model, "optimizer": o.cls, "file": rec.path,
                                          "checkpoint_has_optimizer_state": rec.has_opt},
                                model=model, source=source, optimizer=o.cls, what=what)
                else:
                    why = message(mid, "stateless" if not stateful else "weights_only", optimizer=o.cls)
                    self.report(mid, INFO, "fresh", rec.loc, key=(id(module), o.cls),
                                evidence={"model": model, "optimizer": o.cls, "file": rec.path},
                                model=model, source=source, optimizer=o.cls, why=why)

"""Evaluation: forwards after training that run in training mode or build a graph nobody
uses, and training that goes on in eval mode after an evaluation switched it.

A forward of a trained (or loaded) model counts as an evaluation when no backward pass ever
reaches its output: a pre-hook on the output's ``grad_fn`` says a backward got there, and a
sentinel in the node's metadata says the graph was freed without one. Forwards with gradients
off are evaluations at once.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn

from ..findings import Location, is_user_file
from .base import BATCHNORM, DROPOUT, INFO, WARNING, Detector, ModelRecord, caller_frame, first_tensor, message

#: Pending forwards kept before the finished ones are dropped from the list.
PENDING_KEPT = 256
#: Outputs of candidate evaluation forwards remembered (by storage) to see whether a loss or
#: a metric reads them.
OUTPUTS_KEPT = 64
#: Evaluation forwards with gradients on that make it worth a warning: two, or one over this
#: many samples (a single small sanity forward costs nothing worth saying).
NO_GRAD_FORWARDS, NO_GRAD_SAMPLES = 2, 100


class _EvalModel:
    """What the evaluation detector knows of one model."""

    __slots__ = ("stoch", "trained", "train_active_seen", "e_total", "e_grad", "e_grad_samples", "e_active",
                 "e_mixed", "e_repeat", "e_bn", "e_loc", "e_grad_loc", "e_active_loc", "e_scored", "e_grad_scored", "last_key",
                 "eval_in_train",
                 "eval_in_train_loc", "eval_in_train_tick")

    def __init__(self, module: nn.Module):
        self.stoch = [sub for sub in module.modules() if isinstance(sub, DROPOUT + BATCHNORM)]
        self.trained = False
        self.train_active_seen = False
        self.e_total = self.e_grad = self.e_grad_samples = self.e_active = 0
        self.e_mixed = self.e_repeat = self.e_bn = 0
        self.e_loc = self.e_grad_loc = self.e_active_loc = None
        self.e_scored = 0  # forwards with dropout/batch norm active whose outputs fed a loss or a metric
        self.e_grad_scored = 0  # forwards with a graph nobody used whose outputs fed a loss or a metric
        self.last_key: tuple | None = None
        self.eval_in_train = 0
        self.eval_in_train_loc: Location | None = None
        self.eval_in_train_tick = -1  # clock of the first such forward


class _Fwd:
    __slots__ = ("det", "m", "st", "eligible", "active", "mixed", "bn", "repeat", "training", "loc",
                 "samples", "reached", "done", "metric", "scored", "counted", "grad_counted")

    def __init__(self, det, m, st, eligible, active, mixed, bn, repeat, training, loc, samples):
        self.det = det
        self.m = m
        self.st = st
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
        self.scored = False
        self.counted = False
        self.grad_counted = False

    def reach(self, grad_outputs):  # grad_fn pre-hook: a backward pass got here
        if not self.reached:
            self.reached = True
            try:
                self.det.reached(self)
            except Exception as exc:  # a probe must never break the program
                self.det.hub._internal(exc)
        return None


class _FwdSentinel:
    __slots__ = ("fwd",)

    def __init__(self, fwd: _Fwd):
        self.fwd = fwd

    def __del__(self):
        fwd = self.fwd
        det = fwd.det
        if not fwd.done and det is not None and not det.hub.finalized:
            fwd.done = True
            try:
                if not fwd.reached and fwd.eligible:
                    det.count_eval(fwd, with_grad=True)
            except Exception:
                pass


class EvaluationDetector(Detector):
    ids = ("eval-mode-missing", "no-grad-missing", "train-mode-not-restored")

    def __init__(self, hub):
        super().__init__(hub)
        self.models: dict[ModelRecord, _EvalModel] = {}
        self.cur: _Fwd | None = None
        self.last: _Fwd | None = None
        self.pending: list[_Fwd] = []
        self.outputs: dict[int, _Fwd] = {}

    def _state(self, m: ModelRecord) -> _EvalModel:
        st = self.models.get(m)
        if st is None:
            st = self.models[m] = _EvalModel(m.module)
        return st

    def on_model_found(self, m: ModelRecord) -> None:
        self._state(m)

    def on_model_call(self, m: ModelRecord, mod: nn.Module, x: torch.Tensor | None, grad: bool) -> None:
        st = self._state(m)
        eligible = st.trained or m.loaded
        loc = None
        if eligible:
            frame = caller_frame()
            if frame is None or not is_user_file(frame.f_code.co_filename):
                eligible = False
            else:
                loc = Location(frame.f_code.co_filename, frame.f_lineno)
        active = mixed = bn = False
        if st.stoch:
            flags = [s.training for s in st.stoch]
            active = any(flags)
            if active:
                mixed = (not mod.training) or not all(flags)
                bn = any(s.training for s in st.stoch if isinstance(s, BATCHNORM))
        repeat = metric = False
        if eligible and st.stoch and x is not None:
            # the previous input is kept alive, so an equal address really is the same data
            last = st.last_key
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
        fr = _Fwd(self, m, st, eligible, active, mixed, bn, repeat, mod.training, loc, samples)
        fr.metric = metric
        if st.stoch and x is not None:
            st.last_key = (x, fr)
        self.last = fr
        if grad:
            self.cur = fr
        elif eligible:
            self.count_eval(fr, with_grad=False)

    def on_model_out(self, m: ModelRecord, out: Any) -> None:
        t = first_tensor(out)
        last = self.last
        if last is not None and last.m is m and last.eligible and t is not None:
            self._remember(t, last)
        fr = self.cur
        if fr is None or fr.m is not m:
            return
        self.cur = None
        node = t.grad_fn if t is not None else None
        if node is None:
            if fr.eligible:
                self.count_eval(fr, with_grad=False)
            return
        node.register_prehook(fr.reach)
        node.metadata["torchtutor.forward"] = _FwdSentinel(fr)
        if fr.eligible:
            self.pending.append(fr)
            if len(self.pending) > PENDING_KEPT:
                self.pending = [f for f in self.pending if not f.done and not f.reached]

    # ------------------------------------------------------------------ was it an evaluation?
    def _remember(self, t: torch.Tensor, fr: _Fwd) -> None:
        try:
            ptr = t.untyped_storage().data_ptr()
        except Exception:
            return
        self.outputs[ptr] = fr
        if len(self.outputs) > OUTPUTS_KEPT:
            self.outputs.pop(next(iter(self.outputs)))

    def _score(self, t: Any) -> None:
        if not isinstance(t, torch.Tensor) or not self.outputs:
            return
        try:
            fr = self.outputs.get(t.untyped_storage().data_ptr())
        except Exception:
            return
        if fr is not None and not fr.scored:
            fr.scored = True
            if fr.counted:
                fr.st.e_scored += 1
            if fr.grad_counted:
                fr.st.e_grad_scored += 1

    def on_loss(self, name: str, x: torch.Tensor, t: torch.Tensor, kwargs: dict) -> None:
        self._score(x)

    def on_metric(self, x: torch.Tensor) -> None:
        self._score(x)

    # ------------------------------------------------------------------ evidence
    def reached(self, fr: _Fwd) -> None:
        st = fr.st
        st.trained = True
        if not st.stoch:
            # no mode-dependent layer: only the module's own flag tells the modes apart
            if fr.training:
                st.train_active_seen = True
            elif st.train_active_seen:
                st.eval_in_train += 1
                if st.eval_in_train_loc is None:
                    st.eval_in_train_loc = fr.loc
                    st.eval_in_train_tick = self.hub.tick
            return
        if fr.active and fr.training:
            st.train_active_seen = True
        elif not fr.training and st.train_active_seen:
            st.eval_in_train += 1
            if st.eval_in_train_loc is None:
                st.eval_in_train_loc = fr.loc
                st.eval_in_train_tick = self.hub.tick

    def count_eval(self, fr: _Fwd, with_grad: bool) -> None:
        fr.done = True
        st = fr.st
        st.e_total += 1
        if st.e_loc is None:
            st.e_loc = fr.loc
        if with_grad:
            st.e_grad += 1
            fr.grad_counted = True
            if fr.scored:
                st.e_grad_scored += 1
            st.e_grad_samples += fr.samples
            if st.e_grad_loc is None:
                st.e_grad_loc = fr.loc
        if fr.active and not fr.metric:
            st.e_active += 1
            fr.counted = True
            if fr.scored:
                st.e_scored += 1
            if fr.mixed:
                st.e_mixed += 1
            if fr.bn:
                st.e_bn += 1
            if fr.repeat:
                st.e_repeat += 1
            if st.e_active_loc is None:
                st.e_active_loc = fr.loc

    def finish(self, obs: dict) -> None:
        for fr in self.pending:  # graphs still alive at the end: no backward reached them
            if not fr.done and not fr.reached:
                self.count_eval(fr, with_grad=True)
        self.pending = []
        rows = []
        for m in self.hub.models:
            st = self._state(m)
            rows.append({"model": m.name, "eval_forwards": st.e_total, "with_grad": st.e_grad,
                         "dropout_or_bn_active": st.e_active})
            self._decide(m, st)
        obs["evaluation"] = rows

    def _decide(self, m: ModelRecord, st: _EvalModel) -> None:
        if st.e_active:
            deliberate = (st.e_mixed == st.e_active or st.e_repeat * 2 >= st.e_active) and not st.e_bn
            kinds = sorted({type(s).__name__ for s in st.stoch if s.training}) or \
                sorted({type(s).__name__ for s in st.stoch})
            if not st.e_scored:
                self.report("eval-mode-missing", INFO, "not_scored", st.e_active_loc, key=m.name,
                            evidence={"model": m.name, "forwards": st.e_active, "scored": 0},
                            forwards=st.e_active, model=m.name, modules=", ".join(kinds))
            elif deliberate:
                mid = "eval-mode-missing"
                self.report(mid, INFO, "mc_dropout", st.e_active_loc, key=m.name,
                            evidence={"model": m.name, "forwards": st.e_active, "mixed_modes": st.e_mixed,
                                      "repeated_input": st.e_repeat},
                            forwards=st.e_active, model=m.name,
                            mixed=message(mid, "mixed") if st.e_mixed else "",
                            repeated=message(mid, "repeated") if st.e_repeat else "")
            else:
                self.report("eval-mode-missing", WARNING, "train_mode", st.e_active_loc, key=m.name,
                            evidence={"model": m.name, "forwards": st.e_active, "active_modules": kinds},
                            forwards=st.e_active, model=m.name, modules=", ".join(kinds))
        if st.e_grad:
            many = st.e_grad >= NO_GRAD_FORWARDS or st.e_grad_samples >= NO_GRAD_SAMPLES
            sampled = not st.e_grad_scored  # outputs fed no loss and no metric: sampling, not evaluation
            note = message("no-grad-missing", "sampled") if sampled else "" if many else message("no-grad-missing", "small")
            self.report("no-grad-missing", WARNING if many and not sampled else INFO, "graph", st.e_grad_loc,
                        key=m.name, evidence={"model": m.name, "forwards": st.e_grad, "samples": st.e_grad_samples,
                                              "scored": st.e_grad_scored},
                        forwards=st.e_grad, model=m.name, samples=f"{st.e_grad_samples:,}", small=note)
        # Training in eval mode means an optimizer step followed such a forward. A backward
        # in eval mode with no step after it (a saliency map, an input gradient) trains nothing.
        if st.eval_in_train and self.hub.last_step_tick > st.eval_in_train_tick:
            harmless = not st.stoch  # nothing behaves differently in eval mode, today
            self.report("train-mode-not-restored", INFO if harmless else WARNING,
                        "no_effect" if harmless else "eval_training", st.eval_in_train_loc, key=m.name,
                        evidence={"model": m.name, "forwards": st.eval_in_train},
                        forwards=st.eval_in_train, model=m.name)

"""Gradient health: stale gradients (a missing ``zero_grad``), gradients that fade or grow on
their way back through the network, and a loss or gradient norm that runs away.

Hooks: a tensor hook and a post-accumulate-grad hook on every parameter a backward pass
reaches during the first backward passes (the fresh gradient of this batch against what
``.grad`` holds after accumulation), the loss value of every backward pass (thinned out as
the run grows), and gradient norms at sampled steps.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ..catalogue import note
from .base import INFO, WARNING, Detector, OptRecord, fmt, message
from .loop import pattern

#: A gradient left over is "cleared" when what remains after subtracting this batch's
#: gradient is below this share of the previous gradient (float round-off, not a leftover).
CLEARED_TOLERANCE = 1e-6
#: ... and "stale" when the remainder equals the previous gradient to this share (float32
#: sums of many terms differ from the exact sum by far less than 0.1%).
STALE_TOLERANCE = 1e-3
#: First layer's gradient per element below this share of the last layer's: the signal fades.
VANISHING_RATIO = 1e-3
#: ... above this multiple, with more than EXPLODING_RMS per element: it grows out of hand.
EXPLODING_RATIO = 1e4
EXPLODING_RMS = 1.0
#: A loss this many times its first value (after five backward passes of settling) diverges.
LOSS_RISE_FACTOR = 50
#: A total gradient norm this many times its first sample, and above GROWTH_NORM, diverges.
GROWTH_FACTOR = 1e3
GROWTH_NORM = 1e2
#: Loss values kept in full at the start; later ones are thinned to stay under LOSS_KEEP.
LOSS_HEAD = 50
LOSS_KEEP = 600
#: Gradient-norm samples kept (every other one is dropped when full).
GRAD_SAMPLES_KEEP = 60
#: Parameters hooked per backward pass (a huge model is judged by its first tensors).
HOOKED_PARAMS = 256

#: Backward passes per optimizer checked for "adds to a gradient the last step applied"
#: (the loop's structure does not change later; each check is one device sync).
STRUCTURE_CHECKS = 5
#: Steps that must apply uncleared gradients before the loop's structure is the evidence.
STRUCTURE_STEPS = 2
#: A loss this many times the median of the backward passes just before it is a spike ...
SPIKE_FACTOR = 20
#: ... when it is back under SPIKE_BACK times that median within SPIKE_WITHIN backward passes.
SPIKE_BACK, SPIKE_WITHIN = 3, 5
#: Inputs whose values reach beyond this look unnormalised (pixels in 0..255).
RAW_INPUT = 20
#: Warnings that explain a diverging run better than the divergence itself.
ROOT_CAUSES = ("softmax-before-cross-entropy", "missing-zero-grad", "step-before-backward", "missing-optimizer-step",
               "missing-backward", "detached-loss", "all-parameters-frozen", "label-dtype", "loss-broadcast",
               "optimizer-missing-params", "layer-created-in-forward", "view-instead-of-permute",
               "activation-on-logits", "unshuffled-training-data")
#: Vanishing gradients are a consequence only of a graph that reaches no trainable weight.
VANISHING_CAUSES = ("detached-loss", "all-parameters-frozen")


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
        self.shape = [int(d) for d in p.shape]
        self.handles: list = []


class GradientDetector(Detector):
    ids = ("missing-zero-grad", "vanishing-gradients", "exploding-gradients")

    def __init__(self, hub):
        super().__init__(hub)
        self.pstates: dict[int, tuple[torch.Tensor, _PState]] = {}
        self.hooks_removed = False
        self.polluted: dict[int, tuple[_PState, float, float]] = {}
        self.loss_vals: list[tuple[int, torch.Tensor]] = []
        self.loss_stride = 1
        self.grad_samples: list[tuple[int, list[str], Any]] = []
        self.prev_bw_tick = 0
        self.structure: dict[OptRecord, list[int]] = {}  # [checks, uncleared backward, confirmed steps]

    # ------------------------------------------------------------------ events
    def on_backward(self, root: torch.Tensor, grad: Any) -> None:
        hub = self.hub
        for o in hub.opts.values():
            self._structure(o)
        self.prev_bw_tick = hub.last_bw_tick
        if root.numel() == 1:
            n = hub.n_backward
            if n <= LOSS_HEAD or n % self.loss_stride == 0:
                self.loss_vals.append((n, root.detach()))
                if len(self.loss_vals) > LOSS_KEEP:
                    head, tail = self.loss_vals[:LOSS_HEAD], self.loss_vals[LOSS_HEAD:]
                    self.loss_vals = head + tail[::2]
                    self.loss_stride *= 2
        if not hub.walking and not self.hooks_removed:
            self.remove_hooks()

    def on_graph(self, root: torch.Tensor, leaves: list, params: list) -> None:
        hub = self.hub
        if hub.n_backward <= hub.monitor and not self.hooks_removed:
            watch = params if (hub.models or hub.opts) else [t for t in leaves if t.requires_grad]
            for p in watch[:HOOKED_PARAMS]:
                if id(p) not in self.pstates and p.requires_grad:
                    self._hook_param(p)

    def _structure(self, o: OptRecord) -> None:
        """Before a backward pass: does .grad still hold what ``o``'s last step applied?"""
        hub = self.hub
        rec = self.structure.setdefault(o, [0, 0, 0])
        if o.steps == 0 or rec[0] >= STRUCTURE_CHECKS or self.prev_bw_tick > o.last_step_tick:
            return  # not the first backward since a step
        if max(o.last_zero_tick, hub.module_zero_tick) > o.last_step_tick:
            return  # cleared since
        rec[0] += 1
        grads = [p.grad for g in o.opt.param_groups for p in g["params"] if p.grad is not None]
        grads = [g for g in grads if not g.is_sparse]
        if not grads:
            return  # set to None by hand
        with torch.no_grad():
            nonzero = bool(torch.stack([g.detach().abs().amax().float().cpu() for g in grads]).max() > 0)
        if nonzero:
            rec[1] = hub.last_bw_tick

    def on_step(self, o: OptRecord, closure: bool) -> None:
        rec = self.structure.get(o)
        if rec is not None and rec[1] and rec[1] > max(o.last_zero_tick, self.hub.module_zero_tick):
            rec[2] += 1  # this step applies an old gradient plus the new one
            rec[1] = 0
        if self.polluted:
            # a step is about to apply gradients that still contain already-applied ones
            ids = o.param_ids()
            for pid in [pid for pid in self.polluted if pid in ids]:
                self._stale_gradient(*self.polluted.pop(pid))
        n = self.hub.n_steps + 1
        if n in (1, 10) or n % self.hub.sample_every == 0:
            self._sample_grads(o)

    def on_zero_grad(self, o: OptRecord | None, module: Any) -> None:
        if self.polluted:
            ids = o.param_ids() if o is not None else [id(t) for t in module.parameters()]
            for pid in list(ids):
                self.polluted.pop(pid, None)

    def on_uninstall(self) -> None:
        self.remove_hooks()

    # ------------------------------------------------------------------ parameter hooks
    def _hook_param(self, p: torch.Tensor) -> None:
        st = _PState(self.hub.pname(p), p)

        def pre(grad, st=st):
            st.fresh = grad
            return None

        def post(param, st=st):
            try:
                self._after_accumulate(param, st)
            except Exception as exc:
                self.hub._internal(exc)

        st.handles = [p.register_hook(pre), p.register_post_accumulate_grad_hook(post)]
        self.pstates[id(p)] = (p, st)

    def remove_hooks(self) -> None:
        self.hooks_removed = True
        self.polluted.clear()  # unconfirmed: no step used them while we could still see clears
        for _, st in self.pstates.values():
            for h in st.handles:
                h.remove()
            st.handles = []
            st.prev = None
            st.fresh = None

    def _after_accumulate(self, p: torch.Tensor, st: _PState) -> None:
        G = p.grad
        if G is None or G.is_sparse:
            return
        pending = self.polluted.get(id(p))
        if pending is not None and p._version != st.version:
            # a hand-written update applied the polluted gradient before this backward
            self.polluted.pop(id(p))
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
                    if resid <= CLEARED_TOLERANCE * prev_max:
                        self.polluted.pop(id(p), None)  # cleared before this backward
                    elif stale_err <= STALE_TOLERANCE * prev_max:
                        updated = p._version != st.version or self.hub.opt_steps_of(p) != st.steps
                        if updated:
                            # stale until proven used: only a step that applies it is a mistake
                            if id(p) not in self.polluted:
                                n_new, n_tot = torch.stack([torch.linalg.vector_norm(fresh.float()),
                                                            torch.linalg.vector_norm(G.float())]).tolist()
                                self.polluted[id(p)] = (st, n_new, n_tot)
                        else:
                            self._accumulated(st)
                    else:
                        self.polluted.pop(id(p), None)
                else:
                    self.polluted.pop(id(p), None)
            else:
                self.polluted.pop(id(p), None)
            st.prev = G.detach().clone()
        st.version = p._version
        st.steps = self.hub.opt_steps_of(p)
        st.fresh = None

    def _stale_gradient(self, st: _PState, new_n: float, total_n: float) -> None:
        found = self.hub.find("missing-zero-grad", "stale")
        if found is not None:
            found.evidence["parameters"] = sorted(set(found.evidence.get("parameters", [])) | {st.name})
            return
        self.report("missing-zero-grad", WARNING, "stale", self.hub.backward_loc, key="stale",
                    evidence={"parameter": st.name, "batch_grad_norm": new_n, "accumulated_grad_norm": total_n,
                              "backward_call": self.hub.n_backward, "parameters": [st.name]},
                    parameter=st.name, batch_norm=fmt(new_n), total_norm=fmt(total_n))

    def _accumulated(self, st: _PState) -> None:
        found = self.hub.find("missing-zero-grad", "accumulate")
        if found is not None:
            found.evidence["observed"] = found.evidence.get("observed", 1) + 1
            return
        self.report("missing-zero-grad", INFO, "accumulate", self.hub.backward_loc, key="accumulate",
                    evidence={"parameter": st.name})

    def _sample_grads(self, o: OptRecord) -> None:
        pairs = [(p, p.grad) for g in o.opt.param_groups for p in g["params"] if p.grad is not None]
        pairs = [(p, g) for p, g in pairs if not g.is_sparse]
        if not pairs:
            return
        with torch.no_grad():
            norms = torch._foreach_norm([g for _, g in pairs])
            stacked = torch.stack([n.float().cpu() if n.device.type != "cpu" else n.float() for n in norms])
        if len(self.grad_samples) >= GRAD_SAMPLES_KEEP:
            del self.grad_samples[1::2]
        self.grad_samples.append((self.hub.n_steps + 1, [self.hub.pname(p) for p, _ in pairs], stacked))

    # ------------------------------------------------------------------ decision
    def _layer_rows(self) -> list[dict[str, Any]]:
        states = [st for _, st in self.pstates.values() if st.first_norm is not None]
        if not states:
            return []
        norms = torch.stack([st.first_norm.float().cpu() for st in states]).tolist()
        rows = []
        for st, n in zip(states, norms):
            rows.append({"name": st.name, "shape": st.shape, "norm": n,
                         "rms": n / math.sqrt(max(st.numel, 1))})
        models = self.hub.models
        order: dict[str, int] = {}
        for m in models:
            for i, lname in enumerate(m.order):
                order.setdefault(lname if len(models) == 1 else f"{m.name}.{lname}", i)

        def rank(row):
            owner = row["name"].rsplit(".", 1)[0] if "." in row["name"] else row["name"]
            return order.get(owner, 10_000)

        rows.sort(key=rank)
        return rows

    def finish(self, obs: dict) -> None:
        loc = self.hub.backward_loc
        rows = self._layer_rows()
        obs["gradients"] = {"first_iteration": rows}
        samples = []
        for step, names, stacked in self.grad_samples:
            vals = stacked.tolist()
            total = math.sqrt(sum(v * v for v in vals)) if all(math.isfinite(v) for v in vals) else float("inf")
            samples.append({"step": step, "total_norm": total, "max_layer": names[vals.index(max(vals))] if vals else None})
        obs["gradients"]["samples"] = samples
        self._first_iteration(rows, loc)
        vals = self._loss_values()
        obs["loss_history"] = vals[:: max(1, len(vals) // 200)]
        self._loss_over_time(vals, samples, loc)
        self._spike(vals, loc)
        self._uncleared(obs)

    def _uncleared(self, obs: dict) -> None:
        if self.hub.find("missing-zero-grad", "stale") is not None:
            return
        for o, (checks, _, confirmed) in self.structure.items():
            if confirmed >= STRUCTURE_STEPS:
                self.report("missing-zero-grad", WARNING, "unclear", self.hub.backward_loc, key="stale",
                            evidence={"optimizer": o.cls, "steps_applying_old_gradients": confirmed,
                                      "zero_grad_calls": self.hub.n_zero_grad},
                            opt=o.cls, steps=o.steps, pattern=pattern(self.hub.events) or "unknown")
                return

    def _spike(self, vals: list[tuple[int, float]], loc) -> None:
        if self.hub.has_warning("exploding-gradients"):
            return
        dense = [(n, v) for n, v in vals[:LOSS_HEAD] if math.isfinite(v)]
        for i in range(3, len(dense) - 1):
            n, v = dense[i]
            before = sorted(x for _, x in dense[max(0, i - 5):i])[len(dense[max(0, i - 5):i]) // 2]
            after = [x for _, x in dense[i + 1:i + 1 + SPIKE_WITHIN]]
            if before > 0 and v > SPIKE_FACTOR * before and after and min(after) < SPIKE_BACK * before:
                back = next(k for k, x in enumerate(after, 1) if x < SPIKE_BACK * before)
                high = self._input_high()
                if high <= RAW_INPUT:
                    return  # a lone spike on normalised data is noise (a random-depth net, a hard batch)
                inputs = message("exploding-gradients", "raw_inputs", high=fmt(high))
                self.report("exploding-gradients", WARNING, "spike", loc, key="spike",
                            evidence={"spike_at_backward": n, "loss": v, "loss_before": before,
                                      "input_max": high},
                            before=fmt(before), peak=fmt(v), at=n, factor=fmt(v / before), recovered=back,
                            inputs=inputs)
                return

    def _input_high(self) -> float:
        highs = [float(t.abs().max()) for m in self.hub.models for t in (m.first_input or [])
                 if t.is_floating_point() and t.numel()]
        return max(highs, default=0.0)

    def _first_iteration(self, rows: list[dict], loc) -> None:
        weights = [r for r in rows if len(r["shape"]) >= 2]
        nonfinite = [r["name"] for r in rows if not math.isfinite(r["norm"])]
        if nonfinite:
            self.report("exploding-gradients", WARNING, "first_nonfinite", loc, key="first",
                        evidence={"non_finite": nonfinite}, names=", ".join(nonfinite[:4]))
            return
        if len(weights) < 3:
            return
        first, last = weights[0], weights[-1]
        table = {r["name"]: r["norm"] for r in weights}
        if not last["rms"] > 0:
            return
        ratio = first["rms"] / last["rms"]
        dead = [r["name"] for r in weights[:-1] if r["norm"] == 0]
        if ratio < VANISHING_RATIO or len(dead) >= max(1, (len(weights) - 1) // 2):
            if dead and ratio >= VANISHING_RATIO:
                detail = message("vanishing-gradients", "dead", count=len(dead), names=", ".join(dead[:4]))
            else:
                detail = message("vanishing-gradients", "ratio", ratio=fmt(ratio), first_rms=fmt(first["rms"]),
                                    first=first["name"], last_rms=fmt(last["rms"]), last=last["name"])
            self.report("vanishing-gradients", WARNING, "first", loc, key="first",
                        evidence={"ratio_first_to_last": ratio, "dead_layers": dead, "grad_norms": table},
                        detail=detail)
        elif ratio > EXPLODING_RATIO and first["rms"] > EXPLODING_RMS:
            self.report("exploding-gradients", WARNING, "first_growth", loc, key="first",
                        evidence={"ratio_first_to_last": ratio, "grad_norms": table},
                        ratio=fmt(ratio), first_rms=fmt(first["rms"]), last_rms=fmt(last["rms"]))

    def _loss_over_time(self, vals: list[tuple[int, float]], samples: list[dict], loc) -> None:
        finite = [(n, v) for n, v in vals if math.isfinite(v)]
        bad = [(n, v) for n, v in vals if not math.isfinite(v)]
        if bad and finite and finite[0][0] < bad[0][0]:
            n_bad, v_bad = bad[0]
            self.report("exploding-gradients", WARNING, "loss_nonfinite", loc, key="loss",
                        evidence={"first_loss": finite[0][1], "non_finite_at_backward": n_bad, "value": str(v_bad)},
                        first=fmt(finite[0][1]), first_at=finite[0][0], value=v_bad, bad_at=n_bad,
                        growth=self._grad_growth(samples))
        elif finite and len(finite) >= 10 and finite[0][1] > 0 and \
                max(v for _, v in finite[5:]) > LOSS_RISE_FACTOR * max(finite[0][1], 1e-3):
            first_n, first_v = finite[0]
            peak_n, peak_v = max(finite[5:], key=lambda nv: nv[1])
            self.report("exploding-gradients", WARNING, "loss_rise", loc, key="loss",
                        evidence={"first_loss": first_v, "peak_loss": peak_v, "peak_at_backward": peak_n},
                        first=fmt(first_v), first_at=first_n, peak=fmt(peak_v), peak_at=peak_n,
                        factor=fmt(peak_v / first_v), growth=self._grad_growth(samples))
        elif samples and len(samples) >= 2 and not self.hub.has_warning("exploding-gradients"):
            first_total = samples[0]["total_norm"]
            peak = max(samples[1:], key=lambda s: s["total_norm"])
            if first_total > 0 and peak["total_norm"] / first_total > GROWTH_FACTOR and peak["total_norm"] > GROWTH_NORM:
                self.report("exploding-gradients", WARNING, "norm_growth", loc, key="growth",
                            evidence={"first_norm": first_total, "peak_norm": peak["total_norm"],
                                      "peak_step": peak["step"]},
                            first=fmt(first_total), first_step=samples[0]["step"], peak=fmt(peak["total_norm"]),
                            peak_step=peak["step"], factor=fmt(peak["total_norm"] / first_total))

    def _grad_growth(self, samples: list[dict]) -> str:
        finite = [s for s in samples if math.isfinite(s["total_norm"])]
        if len(finite) >= 2 and finite[0]["total_norm"] > 0:
            return message("exploding-gradients", "growth", first=fmt(finite[0]["total_norm"]),
                              last=fmt(finite[-1]["total_norm"]))
        return ""

    def _loss_values(self) -> list[tuple[int, float]]:
        if not self.loss_vals:
            return []
        idx = [n for n, _ in self.loss_vals]
        vals = torch.stack([v.float().cpu().reshape(()) if v.numel() == 1 else v.float().cpu().mean()
                            for _, v in self.loss_vals]).tolist()
        return list(zip(idx, vals))

    def settle(self, obs: dict) -> None:
        for mid, causes in (("exploding-gradients", ROOT_CAUSES), ("vanishing-gradients", VANISHING_CAUSES)):
            cause = self.hub.first_warning(causes)
            if cause is not None:
                for f in self.hub.warnings_of(mid):
                    demote(f, cause)


def demote(f, cause: str) -> None:
    """A symptom of a mistake already reported becomes an info that names its cause."""
    f.severity = INFO
    f.message += note("symptom_of", cause=cause)
    f.evidence["symptom_of"] = cause

"""What a loss function receives: probabilities where it wants raw scores, class labels of
the wrong dtype or shape, and an output and a target that broadcast against each other.

Hooks: the loss functions of ``torch.nn.functional`` (the ``nn`` loss modules call them), at
the first calls and then at sampled ones; the input's ``grad_fn`` chain says what made it.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ..catalogue import get
from ..findings import Location, user_location
from .base import (CLASSIFICATION_LOSSES, INFO, LOSS_LABEL, SHAPE_ONLY, WARNING, Detector, base_name,
                   caller_location, dtype, fmt, made_at, message, shape)

#: Loss calls checked in full: the first ones (the training loop's shape settles at once),
#: then one in this many (a change of data later on still shows).
CHECKED_FIRST, CHECK_EVERY = 3, 200
#: Graph nodes walked back from a loss input to find the softmax or sigmoid that made it.
SOURCE_DEPTH = 6
#: Rows summing to 1 within this are probabilities (float32 softmax rows are off by ~1e-7).
ROW_SUM_TOLERANCE = 1e-3


def prob_source(x: torch.Tensor) -> tuple[str | None, Any]:
    """('softmax' | 'log_softmax' | 'sigmoid', its graph node) when that op made ``x``
    (through views only), else (None, None)."""
    fn = x.grad_fn
    for _ in range(SOURCE_DEPTH):
        if fn is None:
            return None, None
        base = base_name(fn.name())
        if base in _PROB_OPS:
            return _PROB_OPS[base], fn
        if base not in SHAPE_ONLY:
            return None, None
        nexts = [n for n, _ in fn.next_functions if n is not None]
        fn = nexts[0] if len(nexts) == 1 else None
    return None, None


_PROB_OPS = {"SoftmaxBackward": "softmax", "LogSoftmaxBackward": "log_softmax", "SigmoidBackward": "sigmoid"}


#: Activations that clip scores at 0 ("relu") or squeeze them into a band ("squash"), by the
#: base name of their grad_fn.
ACTIVATIONS = {
    "ReluBackward": ("a ReLU", "relu"), "ThresholdBackward": ("a ReLU", "relu"),
    "ClampMinBackward": ("clamp(min=...)", "relu"), "HardtanhBackward": ("ReLU6/Hardtanh", "squash"),
    "SigmoidBackward": ("a sigmoid", "squash"), "TanhBackward": ("tanh", "squash"),
    "HardsigmoidBackward": ("a hard sigmoid", "squash"), "ClampBackward": ("clamp", "squash"),
}


def _maker(fn: Any) -> Any:
    """The first node at or below ``fn`` that does more than move values (views, copies)."""
    for _ in range(SOURCE_DEPTH):
        if fn is None or base_name(fn.name()) not in SHAPE_ONLY:
            return fn
        nexts = [n for n, _ in fn.next_functions if n is not None]
        fn = nexts[0] if len(nexts) == 1 else None
    return None


def last_activation(x: torch.Tensor) -> tuple[str | None, bool, Any]:
    """The activation applied last to the scores ``x`` (looking through views and through one
    log_softmax), whether a log_softmax sat on top of it, and its graph node."""
    fn = _maker(x.grad_fn)
    via = False
    if fn is not None and base_name(fn.name()) == "LogSoftmaxBackward":
        via = True
        nexts = [n for n, _ in fn.next_functions if n is not None]
        fn = _maker(nexts[0]) if len(nexts) == 1 else None
    if fn is None or base_name(fn.name()) not in ACTIVATIONS:
        return None, via, None
    return base_name(fn.name()), via, fn


class LossDetector(Detector):
    ids = ("softmax-before-cross-entropy", "activation-on-logits", "label-dtype", "loss-broadcast")

    def __init__(self, hub):
        super().__init__(hub)
        self.calls: dict[str, int] = {}
        self.last: tuple | None = None
        self.last_grad: bool | None = None

    def on_loss(self, name: str, x: torch.Tensor, t: torch.Tensor, kwargs: dict) -> None:
        grad = torch.is_grad_enabled()
        key = name if grad else name + ":no_grad"
        calls = self.calls.get(key, 0) + 1
        self.calls[key] = calls
        self.last = (name, x, t)
        self.last_grad = grad
        if not (calls <= CHECKED_FIRST or calls % CHECK_EVERY == 0):
            return
        loc = user_location()
        if name in CLASSIFICATION_LOSSES:
            self._classification(name, x, t, loc)
            return
        src, node = prob_source(x) if name == "binary_cross_entropy_with_logits" else (None, None)
        if src == "sigmoid":
            mid = "softmax-before-cross-entropy"
            self.report(mid, WARNING, "sigmoid_bce", loc, key=name,
                        evidence={"loss": "BCEWithLogitsLoss", "input_from": "sigmoid"},
                        fix=get(mid).fixes.get("sigmoid_bce", ""), cause=made_at(node))
        self._elementwise(name, x, t, loc)

    def crash_context(self, ctx: dict[str, Any]) -> None:
        if self.last_grad is not None:
            ctx["loss_grad_enabled"] = self.last_grad
        if self.last is not None:
            name, x, t = self.last
            ctx["loss_call"] = {"loss": LOSS_LABEL.get(name, name), "input_shape": shape(x),
                                "input_dtype": dtype(x), "target_shape": shape(t), "target_dtype": dtype(t)}

    # ------------------------------------------------------------------ checks
    def _classification(self, name: str, x: torch.Tensor, t: torch.Tensor, loc: Location | None) -> None:
        label = LOSS_LABEL[name]
        if not x.is_floating_point() or x.dim() < 2 or x.device.type == "meta":
            return
        mid = "softmax-before-cross-entropy"
        src, node = prob_source(x)
        probs = src == "softmax"
        how = message(mid, "by_grad_fn")
        if src is None and x.shape[1] >= 2:
            with torch.no_grad():
                xd = x.detach()
                lo, hi, dev = torch.stack([xd.min(), xd.max(), (xd.float().sum(1) - 1).abs().max()]).float().tolist()
            if lo >= 0 and hi <= 1 and dev < ROW_SUM_TOLERANCE:
                probs = True
                how = message(mid, "by_rows", lo=fmt(lo), hi=fmt(hi))
        if probs:
            self.report(mid, WARNING, name, loc, key=name,
                        evidence={"loss": label, "input_shape": shape(x), "detected_by": how}, how=how,
                        cause=made_at(node))
        elif src == "log_softmax" and name == "cross_entropy":
            self.report(mid, INFO, "log_softmax_ce", loc, key="log_softmax",
                        evidence={"loss": label, "input_from": "log_softmax"}, cause=made_at(node))
        if not probs:
            act, via, act_node = last_activation(x)
            if act is not None:
                what, effect = ACTIVATIONS[act]
                self.report("activation-on-logits", WARNING, "clipped", loc, key=name,
                            evidence={"loss": label, "activation": act, "through_log_softmax": via},
                            loss=label, act=what, via=message("activation-on-logits", "via_log_softmax") if via else "",
                            effect=message("activation-on-logits", effect), cause=made_at(act_node))
        self._targets(name, label, x, t, loc)

    def _targets(self, name: str, label: str, x: torch.Tensor, t: torch.Tensor, loc: Location | None) -> None:
        mid = "label-dtype"
        evidence = {"loss": label, "target_dtype": dtype(t), "target_shape": shape(t), "input_shape": shape(x)}
        if t.is_floating_point():
            if name == "cross_entropy" and t.shape == x.shape:
                with torch.no_grad():
                    td = t.detach()
                    lo, dev = torch.stack([td.min(), (td.float().sum(1) - 1).abs().max()]).float().tolist()
                variant = "soft" if lo >= 0 and dev < ROW_SUM_TOLERANCE else "float_rows"
                self.report(mid, INFO, variant, loc, key="soft",
                            evidence={"target_dtype": dtype(t), "target_shape": shape(t)}, shape=shape(x))
            elif t.dim() == x.dim() - 1:
                self.report(mid, WARNING, "float_labels", loc, key="dtype", evidence=evidence,
                            loss=label, dtype=dtype(t), shape=shape(t))
        elif t.dtype not in (torch.int64, torch.uint8) and not t.is_complex() and t.dtype != torch.bool:
            self.report(mid, WARNING, "int_dtype", loc, key="dtype",
                        evidence={k: evidence[k] for k in ("loss", "target_dtype", "target_shape")},
                        loss=label, dtype=dtype(t))
        elif t.dim() == x.dim() and t.shape[-1] == 1:
            self.report(mid, WARNING, "extra_dim", loc, key="shape", evidence=evidence,
                        loss=label, shape=shape(t), input_shape=shape(x))

    def _elementwise(self, name: str, x: torch.Tensor, t: torch.Tensor, loc: Location | None) -> None:
        label = LOSS_LABEL[name]
        if x.shape != t.shape and t.dim() > 0:  # a 0-dim target is one constant on purpose
            try:
                b = torch.broadcast_shapes(x.shape, t.shape)
            except RuntimeError:
                b = None
            evidence = {"loss": label, "input_shape": shape(x), "target_shape": shape(t),
                        "broadcast_shape": list(b) if b is not None else None}
            if b is not None and math.prod(b) > max(x.numel(), t.numel()):
                self.report("loss-broadcast", WARNING, "pairs", loc, key=name, evidence=evidence,
                            loss=label, input_shape=shape(x), target_shape=shape(t), broadcast=list(b),
                            pairs=f"{math.prod(b):,}", expected=f"{max(x.numel(), t.numel()):,}")
            elif b is not None:
                small, few = ("target", t.numel()) if t.numel() < x.numel() else ("output", x.numel())
                self.report("loss-broadcast", WARNING, "repeated", loc, key=name, evidence=evidence,
                            loss=label, input_shape=shape(x), target_shape=shape(t), broadcast=list(b),
                            small=small, count=f"{math.prod(b):,}", few=few)
        if x.is_floating_point() and not t.is_floating_point() and name == "binary_cross_entropy_with_logits":
            self.report("label-dtype", WARNING, "bce_targets", loc, key="dtype",
                        evidence={"loss": label, "target_dtype": dtype(t), "target_shape": shape(t),
                                  "input_shape": shape(x)},
                        loss=label, dtype=dtype(t))

    def on_binary(self, op: str, a: Any, b: Any, out: Any) -> None:
        """``a op b`` inside the loss: an [N, 1] tensor against an [N] one makes [N, N]."""
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and isinstance(out, torch.Tensor)):
            return
        if out.dim() != 2 or {a.dim(), b.dim()} != {1, 2} or not torch.is_grad_enabled():
            return
        col, row = (a, b) if a.dim() == 2 else (b, a)
        n = row.shape[0]
        if n < 2 or tuple(col.shape) != (n, 1) or col.requires_grad == row.requires_grad:
            return  # both tracked (a pairwise score matrix) or neither (masks, labels): deliberate
        loc = caller_location()
        if loc is None:
            return
        self.report("loss-broadcast", WARNING, "outer", loc, key=("outer", loc.file, loc.line),
                    evidence={"op": op, "shapes": [shape(a), shape(b)], "broadcast_shape": shape(out)},
                    op=op, a_shape=shape(a), b_shape=shape(b), broadcast=shape(out), pairs=f"{n * n:,}", n=n)


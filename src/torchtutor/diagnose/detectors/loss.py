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
from .base import (CLASSIFICATION_LOSSES, INFO, LOSS_LABEL, SHAPE_ONLY, WARNING, Detector, base_name, dtype, fmt,
                   message, shape)

#: Loss calls checked in full: the first ones (the training loop's shape settles at once),
#: then one in this many (a change of data later on still shows).
CHECKED_FIRST, CHECK_EVERY = 3, 200
#: Graph nodes walked back from a loss input to find the softmax or sigmoid that made it.
SOURCE_DEPTH = 6
#: Rows summing to 1 within this are probabilities (float32 softmax rows are off by ~1e-7).
ROW_SUM_TOLERANCE = 1e-3


def prob_source(x: torch.Tensor) -> str | None:
    """'softmax', 'log_softmax' or 'sigmoid' when that op made ``x`` (through views only)."""
    fn = x.grad_fn
    for _ in range(SOURCE_DEPTH):
        if fn is None:
            return None
        base = base_name(fn.name())
        if base == "SoftmaxBackward":
            return "softmax"
        if base == "LogSoftmaxBackward":
            return "log_softmax"
        if base == "SigmoidBackward":
            return "sigmoid"
        if base not in SHAPE_ONLY:
            return None
        nexts = [n for n, _ in fn.next_functions if n is not None]
        fn = nexts[0] if len(nexts) == 1 else None
    return None


class LossDetector(Detector):
    ids = ("softmax-before-cross-entropy", "label-dtype", "loss-broadcast")

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
        if name == "binary_cross_entropy_with_logits" and prob_source(x) == "sigmoid":
            mid = "softmax-before-cross-entropy"
            self.report(mid, WARNING, "sigmoid_bce", loc, key=name,
                        evidence={"loss": "BCEWithLogitsLoss", "input_from": "sigmoid"},
                        fix=get(mid).fixes.get("sigmoid_bce", ""))
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
        src = prob_source(x)
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
                        evidence={"loss": label, "input_shape": shape(x), "detected_by": how}, how=how)
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
        if x.shape != t.shape:
            try:
                b = torch.broadcast_shapes(x.shape, t.shape)
            except RuntimeError:
                b = None
            if b is not None and math.prod(b) > max(x.numel(), t.numel()):
                self.report("loss-broadcast", WARNING, "pairs", loc, key=name,
                            evidence={"loss": label, "input_shape": shape(x), "target_shape": shape(t),
                                      "broadcast_shape": list(b)},
                            loss=label, input_shape=shape(x), target_shape=shape(t), broadcast=list(b),
                            pairs=f"{math.prod(b):,}", expected=f"{max(x.numel(), t.numel()):,}")
        if x.is_floating_point() and not t.is_floating_point() and name == "binary_cross_entropy_with_logits":
            self.report("label-dtype", WARNING, "bce_targets", loc, key="dtype",
                        evidence={"loss": label, "target_dtype": dtype(t), "target_shape": shape(t),
                                  "input_shape": shape(x)},
                        loss=label, dtype=dtype(t))

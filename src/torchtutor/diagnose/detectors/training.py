"""Loss against accuracy: a classifier whose loss settles at the entropy of the labels while
it predicts one class, i.e. it learned the class frequencies and nothing else.

Hooks: every classification loss call on [N, C] scores and [N] labels, sampled: its loss,
how many it got right, and the histograms of predicted and true classes.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .base import WARNING, Detector, classification_batch, fmt
from .gradients import ROOT_CAUSES, demote

#: Loss calls recorded in full at the start; later ones are sampled, one in 5 x stride.
RECORDED_FIRST = 20
#: Rows kept before the history is thinned (every other row after the first 100).
ROWS_KEPT, ROWS_HEAD = 3000, 100
#: A plateau needs this many sampled training batches and this many training loss calls.
PLATEAU_MIN_ROWS, PLATEAU_MIN_CALLS = 10, 50
#: A model that puts at least this share of its late predictions on one class ...
PLATEAU_SHARE = 0.9
#: Class weights whose largest is this many times the smallest re-balance the classes on
#: purpose: accuracy near the majority share is then expected, not a plateau.
WEIGHTED_RATIO = 1.5
#: ... with a loss this close to the label entropy (absolute, or this share of it).
PLATEAU_ABS, PLATEAU_REL = 0.05, 0.06


class TrainingDetector(Detector):
    ids = ("class-prior-plateau",)

    def __init__(self, hub):
        super().__init__(hub)
        self.rows: list[tuple] = []
        self.train_calls = 0
        self.eval_calls = 0
        self.stride = 1
        self.weighted = False

    def on_loss(self, name: str, x: torch.Tensor, t: torch.Tensor, kwargs: dict) -> None:
        w = kwargs.get("weight")
        if not self.weighted and isinstance(w, torch.Tensor) and w.numel() > 1:
            with torch.no_grad():
                lo, hi = torch.aminmax(w.detach().float())
            self.weighted = bool(hi > WEIGHTED_RATIO * lo.clamp_min(1e-12))

    def on_loss_done(self, name: str, x: torch.Tensor, t: torch.Tensor, out: Any) -> None:
        if not classification_batch(name, x, t):
            return
        train = torch.is_grad_enabled() and x.requires_grad
        if train:
            self.train_calls += 1
            n = self.train_calls
        else:
            self.eval_calls += 1
            n = self.eval_calls
        if not (n <= RECORDED_FIRST or n % (5 * self.stride) == 0):
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
        self.rows.append((train, n, loss, correct, count, pred_hist, targ_hist))
        if len(self.rows) > ROWS_KEPT:
            head, tail = self.rows[:ROWS_HEAD], self.rows[ROWS_HEAD:]
            self.rows = head + tail[::2]
            self.stride *= 2

    def finish(self, obs: dict) -> None:
        obs["training"] = {}
        if not self.rows:
            return
        groups: dict[int, list[tuple]] = {}
        for r in self.rows:  # one group per number of classes (a script may train several models)
            groups.setdefault(int(r[5].numel()), []).append(r)
        best = None
        for classes, rows in groups.items():
            info = self._group(classes, rows)
            if best is None or info.get("train_samples", 0) > best.get("train_samples", 0):
                best = info
        obs["training"] = best or {}

    def _group(self, classes: int, rows: list[tuple]) -> dict[str, Any]:
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
                "train_samples": len(train), "train_calls": self.train_calls,
                "loss_first": mean_loss(train[:k]), "loss_last": mean_loss(train[-k:]),
                "accuracy_first": acc(train[:k]), "accuracy_last": acc(train[-k:]),
            })
        if evals:
            info.update({"eval_calls": self.eval_calls, "eval_loss": mean_loss(evals), "eval_accuracy": acc(evals)})
        if len(train) < PLATEAU_MIN_ROWS or self.train_calls < PLATEAU_MIN_CALLS or self.weighted:
            return info
        late = train[-max(5, len(train) * 4 // 10):]
        targ = torch.stack([r[6].float().cpu() for r, _ in train]).sum(0)
        pred = torch.stack([r[5].float().cpu() for r, _ in late]).sum(0)
        if not (targ.sum() > 0 and pred.sum() > 0):
            return info
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
        info["class_weights"] = self.weighted
        if L is not None and H > 0 and share >= PLATEAU_SHARE and abs(L - H) <= max(PLATEAU_ABS, PLATEAU_REL * H):
            self.report("class-prior-plateau", WARNING, "prior", self.hub.backward_loc, key=("prior", classes),
                        evidence={"late_loss": L, "label_entropy": H, "top_prediction_share": share,
                                  "predicted_class": top, "accuracy": acc_late, "majority_share": float(prior.max())},
                        batches=len(late), loss=fmt(L), entropy=fmt(H), share=f"{share:.0%}", top=top,
                        accuracy=f"{acc_late:.1%}", majority=f"{float(prior.max()):.1%}")
        return info

    def settle(self, obs: dict) -> None:
        cause = self.hub.first_warning(ROOT_CAUSES)
        if cause is not None:
            for f in self.hub.warnings_of("class-prior-plateau"):
                demote(f, cause)

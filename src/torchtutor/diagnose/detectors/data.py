"""The data as the model sees it: training batches that come in a fixed or sorted order, and
a tensor whose dimensions were reordered with ``view``/``reshape`` instead of ``permute``.

Hooks: the DataLoaders the probe tracks (their sampler, and the optimizer steps each fed),
the labels of the first training batches of a classification loss, and ``Tensor.view`` /
``reshape`` during the first steps.
"""

from __future__ import annotations

from typing import Any

import torch

from .base import WARNING, Detector, caller_location, classification_batch, message

#: Training batches whose labels are looked at for a sorted order.
SORTED_BATCHES = 8
#: A batch smaller than this says little about the order of the data.
SORTED_MIN_BATCH = 4
#: Sorted data: at least this many of the first batches, all but two of them a single class.
SORTED_MIN_SEEN, SORTED_SLACK = 6, 2


def perm_guess(src: tuple, dst: tuple) -> list[int]:
    used: set[int] = set()
    perm = []
    for d in dst:
        for i, s in enumerate(src):
            if s == d and i not in used:
                used.add(i)
                perm.append(i)
                break
    return perm


class DataDetector(Detector):
    ids = ("unshuffled-training-data", "view-instead-of-permute")

    def __init__(self, hub):
        super().__init__(hub)
        self.train_calls = 0
        self.batch_classes: list[tuple[int, int]] = []

    def on_loss_done(self, name: str, x: torch.Tensor, t: torch.Tensor, out: Any) -> None:
        if not (classification_batch(name, x, t) and torch.is_grad_enabled() and x.requires_grad):
            return
        self.train_calls += 1
        if self.train_calls <= SORTED_BATCHES and t.numel() >= SORTED_MIN_BATCH:
            with torch.no_grad():
                uniq = int(torch.unique(t).numel())
                first = int(t[0])
            self.batch_classes.append((uniq, first))

    def on_reshape(self, src: torch.Tensor, out: Any) -> None:
        if not isinstance(out, torch.Tensor):
            return
        s, o = tuple(src.shape), tuple(out.shape)
        if abs(len(s) - len(o)) == 1 and len(s) + len(o) >= 7:
            self._heads(s, o)
            return
        if len(s) != len(o) or s == o or len(s) < 2:
            return
        if sorted(s) != sorted(o):
            return
        if [d for d in s if d != 1] == [d for d in o if d != 1]:
            return
        loc = caller_location()
        if loc is None:
            return
        self.report("view-instead-of-permute", WARNING, "reorder", loc, key=(loc.file, loc.line),
                    evidence={"from_shape": list(s), "to_shape": list(o)},
                    from_shape=list(s), to_shape=list(o), perm=", ".join(str(i) for i in perm_guess(s, o)))

    def _heads(self, s: tuple, o: tuple) -> None:
        """[.., L, E] -> [.., H, L, d] (heads split in front of the sequence by a view), or
        [.., H, L, d] -> [.., L, H*d] (merged back without moving them behind it)."""
        if len(o) > len(s):
            H, L, d = o[-3:]
            ok = s[:-2] == o[:-3] and s[-2] == L and H * d == s[-1] and H not in (1, L) and d > 1
            variant, a, b = "heads", len(o) - 3, len(o) - 2
        else:
            H, L, d = s[-3:]
            ok = o[:-2] == s[:-3] and o[-2] == L and o[-1] == H * d and H not in (1, L) and d > 1
            variant, a, b = "merge", len(s) - 3, len(s) - 2
        if not ok:
            return
        loc = caller_location()
        if loc is None:
            return
        split = ", ".join(str(v) for v in (*s[:-1], H, d)) if variant == "heads" else ""
        self.report("view-instead-of-permute", WARNING, variant, loc, key=(loc.file, loc.line),
                    evidence={"from_shape": list(s), "to_shape": list(o), "heads": H, "length": L},
                    from_shape=list(s), to_shape=list(o), features=H * d, heads=H, size=d, length=L,
                    split=split, a=a, b=b, merged=", ".join(str(v) for v in o))

    def finish(self, obs: dict) -> None:
        self._sorted_batches()
        loaders = []
        for rec in self.hub.loaders:
            loaders.append({"dataset_size": rec.dataset_len, "batch_size": rec.batch_size,
                            "shuffle": not rec.sequential, "batches": rec.batches, "steps": rec.steps,
                            "created_at": str(rec.loc) if rec.loc else None})
            # one batch reused for every step (overfitting a batch): the order cannot matter
            if rec.sequential and not rec.custom and rec.steps >= 2 and rec.batches >= 2:
                size = (message("unshuffled-training-data", "samples", count=f"{rec.dataset_len:,}") if rec.dataset_len is not None
                        else message("unshuffled-training-data", "the_dataset"))
                self.report("unshuffled-training-data", WARNING, "loader", rec.loc, key=id(rec),
                            evidence={"dataset_size": rec.dataset_len, "batch_size": rec.batch_size,
                                      "steps": rec.steps},
                            size=size, batch_size=rec.batch_size, steps=rec.steps)
        obs["loop"]["loaders"] = loaders

    def _sorted_batches(self) -> None:
        uniq = self.batch_classes
        single = sum(1 for u, _ in uniq if u == 1)
        if len(uniq) >= SORTED_MIN_SEEN and single >= len(uniq) - SORTED_SLACK and len({c for _, c in uniq}) >= 2:
            seq = [c for _, c in uniq]
            if seq == sorted(seq) and not any(r.steps > 0 for r in self.hub.loaders):
                self.report("unshuffled-training-data", WARNING, "sorted_batches", self.hub.backward_loc,
                            key="sorted", evidence={"batch_classes": seq},
                            single=single, batches=len(uniq), classes=", ".join(str(c) for c in seq))

"""The data as the model sees it: training batches that come in a fixed or sorted order, and
a tensor whose dimensions were reordered with ``view``/``reshape`` instead of ``permute``.

Hooks: the DataLoaders the probe tracks (their sampler, and the optimizer steps each fed),
the labels of the first training batches of a classification loss, and ``Tensor.view`` /
``reshape`` during the first steps.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch

from .base import INFO, WARNING, Detector, caller_location, classification_batch, message

#: Training batches whose labels are looked at for a sorted order.
SORTED_BATCHES = 8
#: A batch smaller than this says little about the order of the data.
SORTED_MIN_BATCH = 4
#: Sorted data: at least this many of the first batches, all but two of them a single class.
SORTED_MIN_SEEN, SORTED_SLACK = 6, 2
#: Labels read per unshuffled loader (from the classification batches it fed), to measure
#: whether its order matters: at most this many batches, and this many labels.
ORDER_BATCHES, ORDER_LABELS = 64, 8192
#: The order matters when neighbouring labels change at most this share as often as a random
#: order of the same labels would make them change (long runs of one class, or sorted data).
ORDER_CHANGE_RATIO = 0.25
#: ... measured over at least this many batches and labels.
ORDER_MIN_BATCHES, ORDER_MIN_LABELS = 2, 32


class LabelOrder:
    """The labels an unshuffled loader's batches carried into a classification loss, in the
    order the model saw them: how often neighbouring labels differ, against how often they
    would differ if the same labels came in a random order."""

    __slots__ = ("batches", "labels", "changes", "counts", "last", "classes")

    def __init__(self) -> None:
        self.batches = 0
        self.labels = 0
        self.changes = 0
        self.counts: dict[int, int] = {}
        self.last: int | None = None
        self.classes = 0

    def add(self, t: torch.Tensor, classes: int) -> None:
        with torch.no_grad():
            flat = t.detach().reshape(-1)[: ORDER_LABELS - self.labels].to("cpu", torch.int64)
        if flat.numel() == 0:
            return
        self.classes = max(self.classes, int(classes))
        values = flat.tolist()
        prev = self.last
        for v in values:
            if prev is not None and v != prev:
                self.changes += 1
            prev = v
            self.counts[v] = self.counts.get(v, 0) + 1
        self.last = prev
        self.labels += len(values)
        self.batches += 1

    @property
    def full(self) -> bool:
        return self.batches >= ORDER_BATCHES or self.labels >= ORDER_LABELS

    def random_change_rate(self) -> float:
        """How often neighbouring labels differ when these labels come in a random order."""
        n = self.labels
        return 1.0 - sum((c / n) ** 2 for c in self.counts.values()) if n else 0.0

    def change_rate(self) -> float:
        return self.changes / max(1, self.labels - 1)

    def evidence(self) -> dict[str, Any]:
        return {"labels_seen": self.labels, "batches_seen": self.batches, "classes_seen": len(self.counts),
                "label_change_rate": round(self.change_rate(), 4),
                "random_order_change_rate": round(self.random_change_rate(), 4)}

    def ordered(self) -> bool | None:
        """True: the order matters (one class at a time); False: the labels are mixed; None: too
        little was seen to say."""
        if self.batches < ORDER_MIN_BATCHES or self.labels < ORDER_MIN_LABELS:
            return None
        if len(self.counts) == 1:
            # every batch seen held the same class of a classifier with several outputs
            return self.classes >= 2
        return self.change_rate() <= ORDER_CHANGE_RATIO * self.random_change_rate()


def _root(t: torch.Tensor) -> torch.Tensor:
    """The tensor that owns ``t``'s memory (``t`` itself unless it is a view)."""
    base = t._base
    return t if base is None else base


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
        self.order: dict[int, LabelOrder] = {}   # id(LoaderRecord) -> labels it fed, in order
        # heads folded into the batch by a view: id(root tensor) -> (weakref, [view facts])
        self._pending: dict[int, tuple[Any, list[dict]]] = {}
        self._products: dict[int, Any] = {}  # id -> weakref of the latest batched products' outputs

    def on_loss_done(self, name: str, x: torch.Tensor, t: torch.Tensor, out: Any) -> None:
        if not (classification_batch(name, x, t) and torch.is_grad_enabled() and x.requires_grad):
            return
        self.train_calls += 1
        rec = self.hub._cur_loader
        if rec is not None and rec.sequential and self.hub._fresh_batch and not self.hub.fast_forwarding:
            order = self.order.get(id(rec))
            if order is None:
                order = self.order[id(rec)] = LabelOrder()
            if not order.full:
                order.add(t, x.shape[1])
        if self.train_calls <= SORTED_BATCHES and t.numel() >= SORTED_MIN_BATCH:
            with torch.no_grad():
                uniq = int(torch.unique(t).numel())
                first = int(t[0])
            self.batch_classes.append((uniq, first))

    def on_reshape(self, src: torch.Tensor, out: Any) -> None:
        if not isinstance(out, torch.Tensor):
            return
        s, o = tuple(src.shape), tuple(out.shape)
        if len(s) == len(o) == 3 and s != o:
            self._folded(src, out, s, o)
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

    def _folded(self, src: torch.Tensor, out: torch.Tensor, s: tuple, o: tuple) -> None:
        """Heads folded into the batch dimension by a view alone: [B, L, H*d] -> [B*H, L, d]
        (each "head" is then a run of memory that spans several positions), and the way back,
        [B*H, L, d] -> [B, L, H*d]. The shapes alone could be an image viewed per channel, so
        the evidence is the data flow: the folded tensor is an operand of a batched product
        (attention scores, or the values they weigh), or the merged one is a product's output."""
        if o[0] > s[0] and o[0] % s[0] == 0:
            B, L, H, d, E = s[0], s[1], o[0] // s[0], o[2], s[2]
            if o[1] == L and E == H * d:
                variant = "fold"
            else:
                return
        elif s[0] > o[0] and s[0] % o[0] == 0:
            B, L, H, d, E = o[0], o[1], s[0] // o[0], s[2], o[2]
            if s[1] == L and E == H * d:
                variant = "unfold"
            else:
                return
        else:
            return
        if H < 2 or L < 2 or d < 2:
            return
        loc = caller_location()
        if loc is None:
            return
        info = {"loc": loc, "from": s, "to": o, "B": B, "L": L, "H": H, "d": d, "variant": variant}
        if variant == "unfold":
            root = _root(src)
            ref = self._products.get(id(root))
            if ref is not None and ref() is root:
                self._folded_report(info)
            return
        root = _root(out)
        pending = self._pending.setdefault(id(root), (weakref.ref(root), []))
        if pending[0]() is not root:
            pending = self._pending[id(root)] = (weakref.ref(root), [])
        pending[1].append(info)
        if len(self._pending) > 256:
            self._pending = {k: v for k, v in self._pending.items() if v[0]() is not None}

    def on_product(self, operands: list, out: Any) -> None:
        for a in operands:
            entry = self._pending.get(id(_root(a)))
            if entry is None or entry[0]() is not _root(a):
                continue
            dims = sorted(a.shape)
            for info in entry[1]:
                if sorted(info["to"]) == dims:
                    self._folded_report(info)
        if isinstance(out, torch.Tensor):
            if len(self._products) >= 64:
                self._products = {k: r for k, r in self._products.items() if r() is not None}
            self._products[id(out)] = weakref.ref(out)

    def _folded_report(self, info: dict) -> None:
        loc, B, L, H, d = info["loc"], info["B"], info["L"], info["H"], info["d"]
        s, o = info["from"], info["to"]
        if info["variant"] == "fold":
            remedy = f"x.view({B}, {L}, {H}, {d}).transpose(1, 2).reshape({B * H}, {L}, {d})"
        else:
            remedy = f"x.view({B}, {H}, {L}, {d}).transpose(1, 2).reshape({B}, {L}, {H * d})"
        self.report("view-instead-of-permute", WARNING, info["variant"], loc, key=(loc.file, loc.line),
                    evidence={"from_shape": list(s), "to_shape": list(o), "heads": H, "length": L},
                    from_shape=list(s), to_shape=list(o), heads=H, size=d, length=L, batch=B,
                    features=H * d, remedy=remedy)

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
                self._unshuffled(rec)
        obs["loop"]["loaders"] = loaders

    def _unshuffled(self, rec) -> None:
        """A warning when the batches seen show that the order matters (labels in long runs of
        one class); a note when they are mixed or nothing says what the labels were."""
        size = (message("unshuffled-training-data", "samples", count=f"{rec.dataset_len:,}") if rec.dataset_len is not None
                else message("unshuffled-training-data", "the_dataset"))
        evidence = {"dataset_size": rec.dataset_len, "batch_size": rec.batch_size, "steps": rec.steps}
        order = self.order.get(id(rec))
        verdict = order.ordered() if order is not None else None
        if order is not None:
            evidence.update(order.evidence())
        fields = dict(size=size, batch_size=rec.batch_size, steps=rec.steps)
        if verdict:
            single = len(order.counts) == 1
            variant = "loader_one_class" if single else "loader"
            self.report("unshuffled-training-data", WARNING, variant, rec.loc, key=id(rec), evidence=evidence,
                        labels=f"{order.labels:,}", batches=order.batches, cls=next(iter(order.counts)),
                        rate=f"{order.change_rate():.1%}", random=f"{order.random_change_rate():.0%}", **fields)
        elif verdict is False:
            self.report("unshuffled-training-data", INFO, "loader_mixed", rec.loc, key=id(rec), evidence=evidence,
                        labels=f"{order.labels:,}", batches=order.batches, rate=f"{order.change_rate():.0%}",
                        random=f"{order.random_change_rate():.0%}", **fields)
        else:
            self.report("unshuffled-training-data", INFO, "loader_unmeasured", rec.loc, key=id(rec),
                        evidence=evidence, **fields)

    def _sorted_batches(self) -> None:
        uniq = self.batch_classes
        single = sum(1 for u, _ in uniq if u == 1)
        if len(uniq) >= SORTED_MIN_SEEN and single >= len(uniq) - SORTED_SLACK and len({c for _, c in uniq}) >= 2:
            seq = [c for _, c in uniq]
            if seq == sorted(seq) and not any(r.steps > 0 for r in self.hub.loaders):
                self.report("unshuffled-training-data", WARNING, "sorted_batches", self.hub.backward_loc,
                            key="sorted", evidence={"batch_classes": seq},
                            single=single, batches=len(uniq), classes=", ".join(str(c) for c in seq))

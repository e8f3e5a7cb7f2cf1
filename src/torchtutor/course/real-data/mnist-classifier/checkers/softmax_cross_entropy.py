"""Checker for mnist-classifier/softmax-cross-entropy: softmax and -log(p_correct), by hand."""

import math

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from torchtutor.checks import Expect, Wrong, fail, known

LOGITS = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.1], [-1.0, 0.0, 1.0]])
LABELS = torch.tensor([0, 2, 2, 1])
PROBS = torch.softmax(LOGITS, dim=1)
E = torch.exp(LOGITS)
LIBRARY = {"softmax", "log_softmax", "cross_entropy", "nll_loss"}


class LibraryCalls(TorchFunctionMode):
    """Records which of PyTorch's own softmax / cross-entropy functions the learner's code called."""

    def __init__(self):
        super().__init__()
        self.used = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in LIBRARY:
            self.used.add(name)
        return func(*args, **(kwargs or {}))


def _by_hand(ex, name, *args):
    with LibraryCalls() as calls:
        ex.call(name, *args, doing=f"Calling `{name}(...)`", errors=ERRORS)
    if calls.used:
        fail(f"`{name}` calls PyTorch's own {', '.join(sorted(calls.used))}: this exercise is about writing it by "
             "hand.", "Use torch.exp, .sum(dim=1, keepdim=True), indexing, torch.log and .mean(); the checker "
             "compares the result with PyTorch's for you.", failure="used-library")


ERRORS = [known("missing-keepdim")]

EXPECT = [
    Expect("softmax", PROBS, args=(LOGITS,), label="softmax(logits)", errors=ERRORS, wrong=[
        Wrong("`softmax(logits)` normalises each column (dim=0): every class sums to 1 over the batch, but a "
              "sample's probabilities do not. Sum along dim=1, over the classes of each row.",
              value=torch.softmax(LOGITS, dim=0), failure="softmax-dim0", misconceptions=["argmax-any-dim"]),
        Wrong("`softmax(logits)` divides by the sum of the whole batch; each row must be divided by its own sum: "
              "e.sum(dim=1, keepdim=True).", value=E / E.sum(), failure="softmax-whole-batch"),
        Wrong("`softmax(logits)` divides the logits themselves by their row sums, without exponentiating first. "
              "Softmax is exp(z) / sum(exp(z)): the exponential makes every score positive.",
              value=LOGITS / LOGITS.sum(dim=1, keepdim=True), failure="softmax-without-exp"),
    ]),
    Expect("p_correct", PROBS[torch.arange(4), LABELS], args=(PROBS, LABELS), label="p_correct(probs, labels)", wrong=[
        Wrong("`p_correct` returns each row's largest probability, the predicted class's. Cross-entropy needs the "
              "probability of the CORRECT class: probs[torch.arange(len(labels)), labels].",
              value=PROBS.max(dim=1).values, failure="picked-max"),
        Wrong("`p_correct` returns a [4, 4] grid: probs[:, labels] takes every label's column for every row. Pair "
              "row i with label i: probs[torch.arange(len(labels)), labels].",
              when=lambda v: isinstance(v, torch.Tensor) and tuple(v.shape) == (4, 4), failure="index-grid"),
        Wrong("`p_correct` picks rows by label (probs[labels]): the label says which COLUMN of its own row to read.",
              value=PROBS[LABELS], failure="index-rows"),
    ]),
    Expect("cross_entropy", F.cross_entropy(LOGITS, LABELS), args=(LOGITS, LABELS), label="cross_entropy(logits, labels)",
           errors=ERRORS, wrong=[
        Wrong("`cross_entropy` is negative: it averages log(p_correct) without the minus sign. The loss is "
              "-log(p_correct), zero for a sure right answer and positive otherwise.",
              value=-F.cross_entropy(LOGITS, LABELS), failure="missing-minus"),
        Wrong("`cross_entropy` adds the per-sample losses up; the batch loss is their mean.",
              value=F.cross_entropy(LOGITS, LABELS, reduction="sum"), failure="sum-not-mean"),
        Wrong("`cross_entropy` averages -log over every probability of every class. Only the correct class's "
              "probability counts: -log(p_correct).", value=-torch.log(PROBS).mean(), failure="log-of-everything"),
        Wrong("`cross_entropy` uses the predicted class's probability instead of the correct class's.",
              value=-torch.log(PROBS.max(dim=1).values).mean(), failure="picked-max"),
    ]),
    Expect("penalty_ratio", math.log(0.01) / math.log(0.95), rtol=1e-3, wrong=[
        Wrong("`penalty_ratio` is upside down: the confidently wrong loss, -log(0.01), goes on top.",
              value=math.log(0.95) / math.log(0.01), failure="ratio-inverted"),
        Wrong("`penalty_ratio` is the difference of the two losses; the question is how many TIMES larger.",
              value=-math.log(0.01) + math.log(0.95), failure="difference-not-ratio"),
        Wrong("`penalty_ratio` is 90, the rounded figure. Compute it: -math.log(0.01) / -math.log(0.95).",
              when=lambda v: v == 90, failure="typed-number"),
        Wrong("`penalty_ratio` compares the probabilities, 0.95 / 0.01; the penalty is in the losses, -log(p).",
              value=0.95 / 0.01, failure="ratio-of-probabilities"),
    ]),
]


def check(ex):
    for name, args in (("softmax", (LOGITS,)), ("cross_entropy", (LOGITS, LABELS))):
        _by_hand(ex, name, *args)
    ratio = ex.get("penalty_ratio")
    return (f"Your softmax matches torch.softmax(dim=1), your cross-entropy matches nn.CrossEntropyLoss, and a "
            f"confidently wrong answer costs {float(ratio):.1f} times a confidently right one.")

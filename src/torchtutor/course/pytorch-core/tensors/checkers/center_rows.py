"""Checker for tensors/center-rows."""

import torch

from torchtutor.checks import Expect, Wrong, WrongError, known


def _keepdim(fn="mean"):
    return (f"A reduction along dim=1 removes that dimension: X.{fn}(dim=1) gives shape (N,), not (N, 1). "
            "Broadcasting lines shapes up from the right, so an (N,) vector is matched against the F columns, "
            "not the N rows. keepdim=True keeps the reduced dimension with size 1, an (N, 1) column that "
            "broadcasts across each row.")


def _errors(name, X):
    return [
        WrongError(RuntimeError, r"must match the size",
                   f"`{name}` raised a broadcasting error on a {X.shape[0]} x {X.shape[1]} X: a row statistic lost "
                   "its dimension.",
                   details=["PyTorch said: {error}", _keepdim("max" if "scale" in name else "mean")],
                   misconceptions=["reduction-keeps-dims"], failure="missing-keepdim"),
        known("max-returns-pair", name=name),
    ]


def _wrongs(kind, X):
    if kind == "mean":
        stat = lambda **kw: X.mean(**kw)
        apply = lambda s: X - s
        word, fn = "mean", "mean"
    else:
        stat = lambda **kw: X.max(**kw).values if kw else X.max()
        apply = lambda s: X / s
        word, fn = "maximum", "max"
    return [
        Wrong(f"Each row used the wrong {word}: X.{fn}(dim=1) without keepdim lined up with the columns, not the rows.",
              value=apply(stat(dim=1)), details=[_keepdim(fn), f"So row i got the {word} of row j in column j. Use keepdim=True."],
              misconceptions=["reduction-keeps-dims"], failure="missing-keepdim"),
        Wrong(f"You used the {word} of each column (dim=0); each row needs its own {word}, along dim=1.",
              value=apply(stat(dim=0, keepdim=True)),
              details=["dim names the dimension that disappears: dim=0 collapses the rows (one number per column), "
                       "dim=1 collapses the columns (one number per row)."],
              failure="wrong-dim"),
        Wrong(f"You used one {word} for the whole tensor; each row needs its own.",
              value=apply(stat()),
              details=[f"X.{fn}() with no dim reduces everything to one number. Reduce along dim=1, keeping it: keepdim=True."],
              failure="wrong-dim"),
    ]


_G = torch.Generator().manual_seed(5)
SQUARE = torch.rand(4, 4, generator=_G) * 10 + 1   # square: a reduction along the wrong dim still runs
WIDE = torch.rand(3, 5, generator=_G) * 10 + 1     # wide: a lost dimension no longer broadcasts

#: (function, the row statistic it uses, what it should return)
FUNCTIONS = (("center_rows", "mean", lambda X: X - X.mean(dim=1, keepdim=True)),
             ("scale_rows", "max", lambda X: X / X.max(dim=1, keepdim=True).values))

EXPECT = [
    Expect(name, want(X), args=(X,), label=f"{name}(X)", errors=_errors(name, X),
           wrong=_wrongs(kind, X) if X.shape[0] == X.shape[1] else [])
    for name, kind, want in FUNCTIONS for X in (SQUARE, WIDE)
]
PASSED = ("Every row is centred on its own mean and scaled by its own maximum, on square and wide inputs alike: "
          "each row statistic lined up with its own row.")

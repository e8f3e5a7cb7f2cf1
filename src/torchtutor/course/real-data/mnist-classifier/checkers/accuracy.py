"""Checker for mnist-classifier/accuracy: argmax(dim=1) and the fraction correct."""

import torch

from torchtutor.checks import Expect, Wrong, known

LOGITS = torch.tensor([[0.1, 2.0, -1.0], [1.5, 0.3, 0.2], [0.0, 0.1, 3.0], [2.2, 2.1, 0.0], [0.3, 0.2, 0.9]])
LABELS = torch.tensor([1, 1, 2, 0, 0])        # 3 of 5 right
RIGHT = (LOGITS.argmax(dim=1) == LABELS).float().mean().item()

DIM_ERRORS = [known("argmax-dim0")]

EXPECT = [
    Expect("predictions", LOGITS.argmax(dim=1), args=(LOGITS,), label="predictions(logits)", wrong=[
        Wrong("`predictions` takes argmax along dim=0: for each class, the sample that scores it highest. The "
              "classes are the columns of each row: argmax(dim=1).", value=LOGITS.argmax(dim=0),
              failure="argmax-dim0", misconceptions=["argmax-any-dim"]),
        Wrong("`predictions` takes argmax without a dim: one index into the flattened tensor, not one class per "
              "sample. Use argmax(dim=1).", value=LOGITS.argmax(), failure="argmax-no-dim",
              misconceptions=["argmax-any-dim"]),
        Wrong("`predictions` returns the highest scores themselves; the prediction is WHERE the highest score is: "
              "argmax(dim=1), or the .indices of max(dim=1).", value=LOGITS.max(dim=1).values,
              failure="max-values-not-indices"),
    ]),
    Expect("accuracy", RIGHT, args=(LOGITS, LABELS), label="accuracy(logits, labels)", errors=DIM_ERRORS, wrong=[
        Wrong("`accuracy` is a percentage; the exercise asks for the fraction: 3 right of 5 is 0.6.",
              value=RIGHT * 100, failure="percent-not-fraction"),
        Wrong("`accuracy` is the number of correct predictions; divide by the number of samples.",
              value=RIGHT * len(LABELS), failure="count-not-fraction"),
        Wrong("`accuracy` is the fraction WRONG.", value=1 - RIGHT, failure="error-rate"),
    ]),
]

PASSED = ("argmax(dim=1) gives one class per sample, and the fraction correct is 0.6 here: 3 of 5. The 4th row "
          "is right by a hair, 2.2 against 2.1, and accuracy counts it fully; the loss would not.")

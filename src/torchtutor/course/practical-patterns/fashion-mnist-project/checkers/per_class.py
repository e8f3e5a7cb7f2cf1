"""Checker for fashion-mnist-project/per-class.

Predictions come from a nearest-class-mean classifier on the sample's test images (real,
imperfect, and instant), from hand-made predictions, and from a classifier that never
predicts one class.
"""

import torch
from _project_data import CLASSES, TEST, TRAIN, per_class

from torchtutor.checks import Expect, Wrong

means = torch.stack([TRAIN.images[TRAIN.labels == k].float().mean(dim=0) for k in range(10)]).reshape(10, -1)
predicted = torch.cdist(TEST.images.float().reshape(-1, 784), means).argmin(dim=1)
labels = TEST.labels

never_boot = predicted.clone()
never_boot[never_boot == 9] = 7                   # a classifier that never says "Ankle boot" (it says Sneaker)

hand_labels = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9])
hand_pred = torch.tensor([0, 0, 0, 6, 1, 3, 2, 4, 3, 4, 5, 0, 7, 8, 9, 9, 7, 7, 9, 5])


def _precision(p, y):
    return torch.stack([(y[p == k] == k).float().mean() for k in range(10)])


def _wrongs(p, y):
    overall = (p == y).float().mean()
    return [
        Wrong("Your table divides by how often each class was *predicted*: that is precision (of the images called "
              "k, how many are k). Per-class accuracy asks the other question: of the images that *are* k, how many "
              "were called k. Select with labels == k.", value=torch.nan_to_num(_precision(p, y), nan=0.0),
              failure="precision-not-recall"),
        Wrong("Your table holds counts of correct predictions; divide each by the number of images of that class.",
              value=torch.stack([((p == k) & (y == k)).sum() for k in range(10)]).float(), failure="count-not-fraction"),
        Wrong("Every entry of your table is the overall accuracy: a per-class table computes each class on its own "
              "images.", value=overall.repeat(10), failure="overall-repeated"),
    ]


EXPECT = [
    Expect("per_class_accuracy", per_class(hand_pred, hand_labels), args=(hand_pred, hand_labels),
           label="per_class_accuracy(predicted, labels) on 20 hand-made predictions", atol=1e-6,
           wrong=_wrongs(hand_pred, hand_labels)),
    Expect("per_class_accuracy", per_class(predicted, labels), args=(predicted, labels),
           label="per_class_accuracy(predicted, labels) on the sample's test images", atol=1e-6,
           wrong=_wrongs(predicted, labels)),
    Expect("per_class_accuracy", per_class(never_boot, labels), args=(never_boot, labels),
           label="per_class_accuracy(...) for a classifier that never predicts Ankle boot", atol=1e-6, wrong=[
        Wrong("For a classifier that never predicts Ankle boot your table has fewer than 10 entries: a class nobody "
              "predicted still has images, and its accuracy is 0, not missing.",
              when=lambda t: isinstance(t, torch.Tensor) and t.numel() < 10, failure="missing-class"),
        *_wrongs(never_boot, labels),
    ]),
    Expect("hardest_class", CLASSES[int(per_class(predicted, labels).argmin())], args=(predicted, labels, CLASSES),
           label="hardest_class(predicted, labels, classes)", wrong=[
        Wrong("`hardest_class` returned the easiest class: the hardest has the lowest accuracy (argmin).",
              value=CLASSES[int(per_class(predicted, labels).argmax())], failure="easiest-not-hardest"),
        Wrong("`hardest_class` returned an index; return the class's name, classes[k].",
              when=lambda v: isinstance(v, int) or (isinstance(v, torch.Tensor) and v.numel() == 1),
              failure="index-not-name"),
    ]),
]
_table = per_class(predicted, labels)
PASSED = (f"Your table matches, including a class that is never predicted. On the sample, the nearest-average "
          f"classifier scores {(predicted == labels).float().mean():.1%} overall, yet "
          f"{CLASSES[int(_table.argmax())]} reaches {_table.max():.0%} and {CLASSES[int(_table.argmin())]} only "
          f"{_table.min():.0%}.")

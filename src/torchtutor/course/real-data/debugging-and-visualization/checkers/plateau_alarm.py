"""Checker for debugging-and-visualization/plateau-alarm: the baselines of a model that ignores its input, on the
checker's own label sets, and the plateau verdict on runs that plateau and runs that learn."""

import math

import torch

from torchtutor.checks import Expect, Wrong

UNEVEN = torch.tensor([0] * 50 + [1] * 30 + [2] * 15 + [3] * 5)
EVEN = torch.arange(8).repeat(25)


def _entropy(y, log=math.log):
    p = [c / len(y) for c in torch.bincount(y).tolist() if c]
    return -sum(q * log(q) for q in p)


H = _entropy(UNEVEN)
K = int(UNEVEN.max()) + 1

EXPECT = [
    Expect("label_entropy", H, args=(UNEVEN,), label="label_entropy(y) for 50/30/15/5 labels", atol=1e-6, wrong=[
        Wrong(f"That is ln {K} = {math.log(K):.4f}, the entropy of {K} equal classes. These classes are not equal: use "
              "their real frequencies, torch.bincount(y) / len(y).", value=math.log(K), failure="assumed-balanced"),
        Wrong("That is the entropy in bits (log2). Cross-entropy in PyTorch is in nats: use the natural log.",
              value=_entropy(UNEVEN, math.log2), failure="bits-not-nats"),
        Wrong("The sign is wrong: entropy is -sum p ln p, a positive number.", value=-H, failure="negative-entropy"),
    ]),
    Expect("label_entropy", math.log(8), args=(EVEN,), label="label_entropy(y) for 8 equal classes", atol=1e-6),
    Expect("majority_share", 0.5, args=(UNEVEN,), label="majority_share(y) for 50/30/15/5 labels", wrong=[
        Wrong("majority_share should be a fraction: the commonest class's count divided by len(y).", value=50,
              failure="count-not-share"),
    ]),
    Expect("is_class_prior_plateau", True, args=(H * 1.02, 0.51, UNEVEN), label="a plateau: loss at the entropy, "
           "accuracy at the majority share", wrong=[
               Wrong("A run whose loss sits at the labels' entropy with the majority class's accuracy is the plateau: "
                     "it learned the frequencies, nothing else. The answer should be True.", value=False,
                     misconceptions=["loss-down-means-learning"], failure="plateau-wrong")]),
    Expect("is_class_prior_plateau", False, args=(0.35, 0.88, UNEVEN), label="a run that learns", wrong=[
        Wrong("A loss far below the entropy with accuracy far above the majority share is real learning.", value=True,
              failure="plateau-wrong")]),
    Expect("is_class_prior_plateau", False, args=(H, 0.8, UNEVEN), label="loss at the entropy but high accuracy",
           wrong=[Wrong("A plateau needs both baselines: here the accuracy is far above the majority share.",
                        value=True, failure="plateau-wrong")]),
    Expect("is_class_prior_plateau", False, args=(0.4, 0.5, UNEVEN), label="low loss at the majority share's accuracy",
           wrong=[Wrong("A plateau needs both baselines: here the loss is far below the entropy.", value=True,
                        failure="plateau-wrong")]),
]
PASSED = (f"The alarm works: 50/30/15/5 labels have entropy {H:.3f} nats and a majority share of 50%, and a run sitting "
          "on both has learned only the frequencies, however far its loss fell.")

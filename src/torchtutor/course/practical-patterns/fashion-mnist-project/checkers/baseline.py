"""Checker for fashion-mnist-project/baseline.

The learner's baseline is built and trained with the learner's own `train`, then measured by
the checker on the sample's test split through the learner's `prepare`. The learner's
`evaluate` is compared with that measurement, and with eval-mode accuracy on a model of the
checker's own that has a dropout layer (so a forgotten model.eval() shows).
"""

import torch
import torch.nn as nn
from _project_data import TEST, TRAIN

from torchtutor.checks import describe, fail

FLOOR = 0.75
MAX_PARAMETERS = 120_000


def _measure(model, inputs, labels):
    model.eval()
    with torch.no_grad():
        return (model(inputs).argmax(dim=1) == labels).float().mean().item()


def _check_evaluate(ex, model, inputs, measured, what):
    got = ex.call("evaluate", model, TEST.images, TEST.labels, doing=f"Calling `evaluate({what}, test images, labels)`")
    if got is None:
        fail("`evaluate(...)` returned None: replace `return None` with your code.", failure="placeholder")
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        fail(f"`evaluate` should return the accuracy as a float, but it returned {describe(got)}.", failure="wrong-type")
    if abs(got - 100 * measured) < 1e-3 and measured > 0.01:
        fail(f"`evaluate` returned {got:.1f}: a percentage. Return the fraction, {measured:.4f}; format it as a "
             "percentage only when you print it.", failure="percent-not-fraction")
    if abs(got - measured * len(TEST.labels)) < 0.5 and got > 1:
        fail(f"`evaluate` returned {got:g}, the number of correct predictions; divide by the number of images.",
             failure="count-not-fraction")
    return float(got)


def check(ex):
    model = ex.call("build_baseline", doing="Calling `build_baseline()`")
    if not isinstance(model, nn.Module):
        fail(f"`build_baseline()` should return an nn.Module, but it returned {describe(model)}.",
             failure="not-a-module")
    params = sum(p.numel() for p in model.parameters())
    if params == 0:
        fail("`build_baseline()` returned a model without parameters: it has nothing to learn.", failure="not-a-module")
    if params > MAX_PARAMETERS:
        fail(f"Your baseline has {params:,} parameters. A baseline is the simplest model that could work (one linear "
             f"layer, or one small hidden layer): at most {MAX_PARAMETERS:,} here.",
             "Keep the bigger ideas for the experiments: they are measured against this baseline.",
             misconceptions=["biggest-model-first"], failure="not-a-baseline")
    torch.manual_seed(0)
    ex.call("train", model, TRAIN.images, TRAIN.labels, doing="Calling `train(model, train images, labels)`")
    inputs = ex.call("prepare", TEST.images, doing="Calling `prepare(test images)`")
    if not isinstance(inputs, torch.Tensor) or not inputs.is_floating_point():
        fail(f"`prepare(images)` should return a float tensor for your model, but it returned {describe(inputs)}.",
             failure="wrong-type")
    again = ex.call("prepare", TEST.images[:10], doing="Calling `prepare` on ten images")
    if isinstance(again, torch.Tensor) and again.shape[0] == 10 and not torch.allclose(again, inputs[:10], atol=1e-5):
        fail("`prepare` gives the same ten images different values when called on fewer images: it computes its "
             "statistics from whatever it is given.",
             "Normalise with fixed numbers, the training set's mean and standard deviation, so that every image is "
             "prepared the same way wherever it comes from.", failure="per-call-statistics")
    outputs = ex.call(model, inputs, doing="Calling your model on `prepare(test images)`")
    if not isinstance(outputs, torch.Tensor) or tuple(outputs.shape) != (len(TEST.labels), 10):
        fail(f"Your model should give 10 scores per image, shape [{len(TEST.labels)}, 10], but it gave "
             f"{describe(outputs)}.", failure="wrong-shape")
    measured = _measure(model, inputs, TEST.labels)
    if measured < FLOOR:
        fail(f"Trained with your `train`, the baseline classifies {measured:.1%} of the sample's test images "
             f"correctly; a baseline should reach at least {FLOOR:.0%}.",
             "Check the checklist's first items: inputs scaled and normalised, a learning rate that moves the loss "
             "(Adam at 1e-3 is a good start), and enough passes over the data (a few epochs).",
             failure="below-floor")
    got = _check_evaluate(ex, model, inputs, measured, "your trained baseline")
    if abs(got - measured) > 1e-6:
        fail(f"`evaluate` reports {got:.4f} for your baseline; measured over all {len(TEST.labels):,} test images it "
             f"classifies {measured:.4f} correctly.",
             "Count the correct predictions over every image given and divide by their number.",
             failure="wrong-value")

    baseline_acc = measured
    torch.manual_seed(1)
    probe = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(inputs[0].numel(), 10))
    measured = _measure(probe, inputs, TEST.labels)
    probe.train()
    torch.manual_seed(2)
    got = _check_evaluate(ex, probe, inputs, measured, "a model with dropout")
    if abs(got - measured) > 1e-6:
        fail(f"On a model with a dropout layer, `evaluate` reports {got:.4f}, where eval mode gives {measured:.4f}: "
             "the model was measured in training mode, with dropout still switching units off.",
             "Call model.eval() (and use torch.no_grad()) before measuring.", failure="no-eval-mode")
    return (f"Your baseline ({params:,} parameters) classifies {baseline_acc:.1%} of the sample's 1,000 test images "
            "correctly, and your evaluate reports exactly what the checker measures. Every experiment now has a "
            "number to beat.")

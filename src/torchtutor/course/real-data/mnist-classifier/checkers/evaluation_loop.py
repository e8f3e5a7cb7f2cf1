"""Checker for mnist-classifier/evaluation-loop: eval(), no_grad(), correct answers counted over the loader."""

import torch

from torchtutor.checks import Wrong, describe, expect_close, fail

import _models as md

N, BATCH = 230, 64                 # batches of 64, 64, 64 and 38


def _reference(model, loader):
    model.eval()
    correct, count, per_batch = 0, 0, []
    with torch.no_grad():
        for xb, yb in loader:
            hits = (model(xb).argmax(dim=1) == yb)
            correct += int(hits.sum())
            count += len(yb)
            per_batch.append(hits.float().mean().item())
    return correct / count, per_batch, correct


def check(ex):
    model = md.trained_moody_model(seed=2)
    loader = md.blob_loader(N, BATCH, seed=3)
    right, per_batch, correct = _reference(model, loader)
    model.train()                                # as a training loop would leave it
    watch = md.ModeWatch(model)
    with watch:
        first = ex.call("evaluate", model, loader, doing="Calling `evaluate(model, loader)`")
    md.expect_evaluation_passes(watch, "`evaluate`")
    if len(watch.passes) != len(loader):
        fail(f"`evaluate` ran the model {len(watch.passes)} times for a loader of {len(loader)} batches; it should "
             "see every batch once.", failure="wrong-pass-count")
    if isinstance(first, torch.Tensor):
        fail(f"`evaluate` returns a tensor ({describe(first)}); return a Python float (.item(), or count with "
             ".sum().item()).", failure="not-a-float")
    expect_close(first, right, name="evaluate(model, loader)", atol=1e-6, wrong=[
        Wrong(f"`evaluate` averages the {len(per_batch)} batch accuracies. The last batch holds only "
              f"{N - 3 * BATCH} samples, so each of its samples counts more than one in a full batch.",
              value=sum(per_batch) / len(per_batch), failure="mean-of-batch-accuracies",
              misconceptions=["mean-of-batch-accuracies"],
              details=["Count correct answers over the whole loader and divide once: correct / count."]),
        Wrong("`evaluate` returns a percentage; return the fraction between 0 and 1.", value=right * 100,
              failure="percent-not-fraction"),
        Wrong("`evaluate` returns the number of correct answers; divide by the number of samples.",
              value=float(correct), failure="count-not-fraction"),
        Wrong(f"`evaluate` divides by the number of batches ({len(loader)}) instead of the number of samples.",
              value=correct / len(loader), failure="divided-by-batches"),
    ])
    with md.ModeWatch(model):
        second = ex.call("evaluate", model, loader, doing="Calling `evaluate(model, loader)` a second time")
    if second != first:
        fail(f"Measured twice, the same model scores {first} and then {second}.", failure="not-deterministic")
    return (f"Accuracy {right:.3f} over all {N} samples, the same both times: every forward pass ran in eval mode "
            "under no_grad, and the model's weights and batch norm statistics are exactly as they were.")

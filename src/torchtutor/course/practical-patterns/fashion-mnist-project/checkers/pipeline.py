"""Checker for fashion-mnist-project/pipeline.

Judged by what the pipeline leaves behind: the best checkpoint is loaded into a fresh
build_model() and measured on the test images by the checker itself; the report's numbers,
per-class table, best epoch, last checkpoint and stopping point are held against that
measurement and against the run's own validation history.
"""

import math
import shutil
import tempfile
from pathlib import Path

import torch
import torch.nn as nn
from _project_data import CLASSES, TEST, TRAIN, per_class

from torchtutor.checks import describe, fail

FLOOR = 0.76
MAX_EPOCHS, PATIENCE = 10, 1
KEYS = ("checkpoint", "last_checkpoint", "best_epoch", "val_accuracy", "test_accuracy", "per_class")


def _load(path, what):
    if not isinstance(path, (str, Path)) or not Path(path).is_file():
        fail(f"The report's {what!r} is {describe(path)}, which is not a file the run left behind.",
             "Save the checkpoint with torch.save(state, path) and return that path.", failure="no-checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same verdict
        fail(f"The {what} {path} cannot be loaded with torch.load: {type(exc).__name__}: {exc}.",
             failure="no-checkpoint")
    if not isinstance(state, dict) or not all(k in state for k in ("model", "optimizer", "epoch")):
        have = sorted(state) if isinstance(state, dict) else describe(state)
        fail(f"The {what} should be a dict with at least 'model', 'optimizer' and 'epoch'; it holds {have}.",
             "A checkpoint bundles everything needed to resume: model.state_dict(), optimizer.state_dict(), the "
             "epoch (and the metric). A bare state_dict cannot resume training.", failure="checkpoint-incomplete")
    return state


def _stopped_late(history):
    """The first epoch (1-based) at which `patience` epochs had passed without improvement, if the run went on."""
    best, best_epoch = -math.inf, 0
    for epoch, acc in enumerate(history, start=1):
        if acc > best:
            best, best_epoch = acc, epoch
        elif epoch - best_epoch >= PATIENCE and epoch < len(history):
            return epoch
    return None


def check(ex):
    out = Path(tempfile.mkdtemp(prefix="fashion-pipeline-"))
    try:
        _check(ex, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return ex.notes.pop(0)


def _check(ex, out):
    torch.manual_seed(0)
    images, labels = TRAIN.images[:2000], TRAIN.labels[:2000]
    report = ex.call("run_pipeline", images, labels, TEST.images, TEST.labels, str(out), MAX_EPOCHS, PATIENCE,
                     doing="Calling `run_pipeline(2,000 training images, 1,000 test images, out_dir, max_epochs=10, "
                           "patience=1)`")
    if report is None:
        fail("`run_pipeline(...)` returned None: replace `return None` with your pipeline.", failure="placeholder")
    if not isinstance(report, dict) or any(k not in report for k in KEYS):
        missing = [k for k in KEYS if not isinstance(report, dict) or k not in report]
        fail(f"`run_pipeline` should return a dict with {', '.join(KEYS)}; "
             + (f"it returned {describe(report)}." if not isinstance(report, dict) else f"it lacks {', '.join(missing)}."),
             failure="incomplete-report")
    history = [float(v) for v in report["val_accuracy"]]
    if not 1 <= len(history) <= MAX_EPOCHS:
        fail(f"The run reports {len(history)} validation accuracies for max_epochs={MAX_EPOCHS}: one per epoch run, "
             "at least one and at most max_epochs.", failure="wrong-epochs")

    best = _load(report["checkpoint"], "best checkpoint")
    last = _load(report["last_checkpoint"], "last checkpoint")
    model = ex.call("build_model", doing="Calling `build_model()`")
    if not isinstance(model, nn.Module):
        fail(f"`build_model()` should return an nn.Module, but it returned {describe(model)}.", failure="not-a-module")
    try:
        model.load_state_dict(best["model"])
    except RuntimeError as exc:
        fail("The best checkpoint does not load into a fresh build_model(): the state_dict and the architecture do "
             "not match.", f"PyTorch said: {str(exc).splitlines()[0]}",
             "A state_dict holds values, not architecture: build_model() must build the same layers the pipeline "
             "trained.", failure="architecture-mismatch")
    inputs = ex.call("prepare", TEST.images, doing="Calling `prepare(test images)`")
    model.eval()
    with torch.no_grad():
        predicted = ex.call(model, inputs, doing="Calling the reloaded model on `prepare(test images)`").argmax(dim=1)
    measured = (predicted == TEST.labels).float().mean().item()
    if measured < FLOOR:
        fail(f"Reloaded from the best checkpoint, your model classifies {measured:.1%} of the sample's test images "
             f"correctly; the pipeline should reach at least {FLOOR:.0%} (the baseline milestone's model does).",
             "If the run itself reported more, the checkpoint holds a different model from the one you measured.",
             failure="below-floor")
    reported = float(report["test_accuracy"])
    if abs(reported - measured) > 1e-4:
        fail(f"The report says test accuracy {reported:.4f}, but the model in the best checkpoint scores "
             f"{measured:.4f} on the same test images.",
             "Report the test accuracy of the best model: load the best checkpoint back, then measure (in eval mode, "
             "without gradients, on all the test images).", failure="test-not-of-best")

    table = report["per_class"]
    want = per_class(predicted, TEST.labels)
    if not isinstance(table, dict) or set(table) != set(CLASSES):
        fail(f"`per_class` should map each of the ten class names to its accuracy; it is {describe(table)}.",
             f"The names are: {', '.join(CLASSES)}.", failure="per-class-table")
    off = [name for k, name in enumerate(CLASSES) if abs(float(table[name]) - want[k].item()) > 1e-4]
    if off:
        name = off[0]
        fail(f"`per_class[{name!r}]` is {float(table[name]):.4f}; of the {int((TEST.labels == CLASSES.index(name)).sum())} "
             f"test images of that class, the best model gets {want[CLASSES.index(name)]:.4f} right.",
             "Per-class accuracy divides by the number of images of each true class, for the best model.",
             failure="per-class-table")

    top = max(history)
    if int(best["epoch"]) != int(report["best_epoch"]):
        fail(f"The report's best_epoch is {report['best_epoch']}, but the best checkpoint holds epoch {best['epoch']}.",
             failure="best-not-saved")
    if abs(history[int(best["epoch"]) - 1] - top) > 1e-9:
        fail(f"The best checkpoint holds epoch {best['epoch']}, with validation accuracy "
             f"{history[int(best['epoch']) - 1]:.4f}, but epoch {history.index(top) + 1} did better ({top:.4f}).",
             "Save the best checkpoint whenever validation accuracy improves on the best so far.",
             failure="best-not-saved")
    if int(last["epoch"]) != len(history):
        fail(f"The run went {len(history)} epochs, but the last checkpoint holds epoch {last['epoch']}.",
             "Save a checkpoint after every epoch, so that a crash loses at most one.", failure="no-checkpoint-per-epoch")
    late = _stopped_late(history)
    if late is not None:
        fail(f"Validation accuracy had not improved for {PATIENCE} epochs by epoch {late}, yet the run went on to "
             f"epoch {len(history)}.",
             f"Validation accuracies: {', '.join(f'{a:.3f}' for a in history)}.",
             "Early stopping: count the epochs since the last improvement and stop when the count reaches patience.",
             failure="no-early-stopping")
    if len(history) == MAX_EPOCHS:
        ex.notes.append(f"(This run used all {MAX_EPOCHS} epochs: validation kept improving, so early stopping had "
                        "nothing to do.)")
    worst = CLASSES[int(want.argmin())]
    ex.notes.insert(0, f"Your pipeline's best checkpoint (epoch {best['epoch']} of {len(history)}) reloads into "
                       f"build_model() and scores {measured:.1%} on the sample's test images, exactly as reported; "
                       f"its hardest class is {worst} ({want.min():.0%}). Now run it on the full dataset.")

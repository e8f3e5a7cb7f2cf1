"""Checker for saving-and-loading/checkpoint-resume: the learner's save_checkpoint and resume_checkpoint, used on the
checker's own run, must make a resumed run identical to an uninterrupted one."""

import pickle
import tempfile
from pathlib import Path

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail

TOTAL, SAVED_AT = 10, 5
KEYS = {"model", "optimizer", "epoch", "loss"}


def _data():
    g = torch.Generator().manual_seed(21)
    X = torch.randn(128, 5, generator=g)
    return X, X[:, :2].sin().sum(dim=1, keepdim=True) + 0.5 * X[:, 2:3]


def _model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 24), nn.Tanh(), nn.Linear(24, 1))


def _optimizer(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=0.02)


def _epoch(model, optimizer, X, y) -> float:
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def check(ex):
    X, y = _data()
    model = _model(0)
    optimizer = _optimizer(model)
    uninterrupted = [_epoch(model, optimizer, X, y) for _ in range(TOTAL)]

    model = _model(0)
    optimizer = _optimizer(model)
    first = [_epoch(model, optimizer, X, y) for _ in range(SAVED_AT)]
    saved_model = {k: v.clone() for k, v in model.state_dict().items()}
    with tempfile.TemporaryDirectory(prefix="torchtutor-check-") as folder:
        path = Path(folder) / "checkpoint.pt"
        ex.call("save_checkpoint", path, model, optimizer, SAVED_AT, first[-1])
        if not path.is_file():
            fail("`save_checkpoint` did not write a file at `path`.", "torch.save({...}, path) writes one.",
                 failure="no-file")
        try:
            ckpt = torch.load(path, weights_only=True)
        except pickle.UnpicklingError as err:
            fail("The checkpoint does not load with torch.load(path, weights_only=True).",
                 str(err).strip().splitlines()[-1][:200],
                 "Store the state_dicts and plain numbers only: no model or optimizer objects, no NumPy values.",
                 failure="wrong-file")
        if not isinstance(ckpt, dict) or not KEYS <= set(ckpt):
            have = sorted(ckpt) if isinstance(ckpt, dict) else describe(ckpt)
            fail(f"The checkpoint should be one dict with the keys {sorted(KEYS)}; yours has {have}.",
                 "Everything a resume needs goes into one file: both state_dicts, the epoch and the loss.",
                 failure="missing-keys")
        if isinstance(ckpt["loss"], torch.Tensor):
            fail("The checkpoint's loss is a tensor; store it as a plain float.",
                 "float(loss) or loss.item(): a number is all a resume needs, and it reads back without surprises.",
                 failure="loss-tensor")
        if ckpt["epoch"] != SAVED_AT:
            fail(f"The checkpoint's epoch is {ckpt['epoch']!r}, but save_checkpoint was called with epoch={SAVED_AT}.",
                 "Store the `epoch` argument as it is.", failure="wrong-epoch")

        fresh = _model(99)                      # a new process: other random weights
        fresh_opt = _optimizer(fresh)
        result = ex.call("resume_checkpoint", path, fresh, fresh_opt)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"`resume_checkpoint` should return (start_epoch, loss), but it returned {describe(result)}.",
             failure="placeholder" if result is None else "wrong-type")
    start, loss = result

    if not all(torch.equal(fresh.state_dict()[k], v) for k, v in saved_model.items()):
        fail("After resume_checkpoint, the model passed in still has its own fresh weights, not the checkpoint's.",
             "Restore it in place: model.load_state_dict(checkpoint['model']). (Building a new model inside the "
             "function does not change the one the caller holds.)", failure="model-not-restored")

    restored_state = fresh_opt.state_dict()["state"]
    try:
        start = int(start)
    except (TypeError, ValueError):
        fail(f"The start epoch should be a number, but resume_checkpoint returned {describe(start)}.",
             failure="wrong-type")
    if start != SAVED_AT + 1:
        what = "runs epoch 5 a second time" if start == SAVED_AT else f"skips to epoch {start}"
        fail(f"resume_checkpoint returned start epoch {start} for a checkpoint saved after epoch {SAVED_AT}: the "
             f"resumed run {what}.",
             "The checkpoint stores the last epoch that finished; the next one to run is checkpoint['epoch'] + 1.",
             failure="off-by-one-epoch")
    resumed = first + [_epoch(fresh, fresh_opt, X, y) for _ in range(start, TOTAL + 1)]
    if not restored_state:
        window = slice(SAVED_AT, SAVED_AT + 3)
        fail("The optimizer came back empty, so the resumed run restarts Adam from scratch: an experienced pilot "
             "with amnesia.",
             f"Evidence: over the three epochs after the resume the uninterrupted run's loss peaks at "
             f"{max(uninterrupted[window]):.4f}; the resumed run's jumps to {max(resumed[window]):.4f}, because a fresh "
             "Adam takes full-size steps for every weight at once.",
             "Save optimizer.state_dict() in the checkpoint and restore it with "
             "optimizer.load_state_dict(checkpoint['optimizer']).",
             misconceptions=["weights-are-enough-to-resume"], failure="no-optimizer-state")
    differ = [e for e, (a, b) in enumerate(zip(uninterrupted, resumed), start=1) if abs(a - b) > 1e-6 * max(1, abs(a))]
    if differ:
        e = differ[0]
        fail(f"The resumed run drifts from the uninterrupted one at epoch {e}: {resumed[e - 1]:.6f} instead of "
             f"{uninterrupted[e - 1]:.6f}.",
             "Restore both state_dicts exactly as saved, and nothing else: the resumed run should repeat the "
             "uninterrupted run's arithmetic.", failure="resume-differs")
    try:
        same_loss = abs(float(loss) - first[-1]) <= 1e-9
    except (TypeError, ValueError):
        same_loss = False
    if not same_loss:
        fail(f"resume_checkpoint returned the loss {describe(loss)}, but the checkpoint saved {first[-1]:.6f}.",
             "Return checkpoint['loss'] as the second value.", failure="wrong-loss")
    return (f"Resumed at epoch {start} and the run is the uninterrupted one, epoch for epoch, down to "
            f"{uninterrupted[-1]:.6f} at epoch {TOTAL}: weights, Adam's averages and the epoch all came back.")

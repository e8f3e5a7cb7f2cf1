"""Runtime probes shared by this lesson's checkers (a helper, not a checker: no check()).

Everything here is evidence from running the learner's objects: what a Dataset returns for
an index, which samples a DataLoader serves in which order, how many files were read.
Checkers import it as ``import _loaders as ld``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset

from torchtutor.checks import describe, fail


class Numbered(Dataset):
    """Sample i is (tensor([i]), i): a loader's batches say which samples it served, in which order."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return torch.tensor([int(index)]), int(index)


def served_order(ex, loader: Any, what: str, errors=()) -> tuple[list[int], list[int]]:
    """Iterate the learner's loader over a Numbered dataset once: (sample order, batch sizes)."""
    order, sizes = [], []
    try:
        for batch in loader:
            x = batch[0] if isinstance(batch, (list, tuple)) else batch
            flat = torch.as_tensor(x).reshape(-1).tolist()
            order.extend(int(v) for v in flat)
            sizes.append(len(flat))
    except Exception as exc:  # noqa: BLE001 - the learner's loader (or Dataset) failed: say how, in words
        ex.fail_on(exc, f"Iterating {what}", errors)
    return order, sizes


def epochs(ex, loader: Any, what: str, n: int = 2) -> list[tuple[list[int], list[int]]]:
    return [served_order(ex, loader, what) for _ in range(n)]


def expect_loader(value: Any, name: str) -> DataLoader:
    if value is None:
        fail(f"`{name}` returned None: replace the placeholder with a DataLoader.", failure="placeholder")
    if not isinstance(value, DataLoader):
        fail(f"`{name}` should return a torch.utils.data.DataLoader, but it returned {describe(value)}.",
             "Wrap the Dataset you were given: DataLoader(dataset, batch_size=batch_size, ...).",
             failure="not-a-loader")
    return value


# ------------------------------------------------------------------ training over a loader

HEARTBEAT = "Per batch, in this order: optimizer.zero_grad(), forward, loss, loss.backward(), optimizer.step()."
BATCH_WORDS = {
    "no-training": ("`{fn}` never called loss.backward() or optimizer.step(): one epoch passed and nothing was "
                    "trained.", HEARTBEAT),
    "missing-optimizer-step": ("`{fn}` computes gradients but never calls optimizer.step(), so the weights never "
                               "move.", "backward() only fills .grad; step() uses it. " + HEARTBEAT),
    "missing-backward": ("`{fn}` calls optimizer.step() without loss.backward(): step() finds no gradients to use.",
                         HEARTBEAT),
    "missing-zero-grad": ("`{fn}` never clears the gradients between batches: from the second batch on, each step "
                          "uses the sum of every batch's gradient so far.",
                          "Call optimizer.zero_grad() once per batch, before loss.backward()."),
    "step-before-backward": ("In `{fn}` a step found no gradient from its own batch: zero_grad() ran between "
                             "backward() and step(), or step() came before backward().", HEARTBEAT),
    "backward-twice": ("`{fn}` calls backward() more than once per step, so gradients of several batches are added "
                       "together before each step.", HEARTBEAT),
    "stale-gradient": ("In `{fn}` a step used a gradient that is not its own batch's.", HEARTBEAT),
    "other-model": ("`{fn}` steps an optimizer that holds none of the model's parameters.",
                    "Use the optimizer you were given."),
    "optimizer-missing-params": ("The optimizer that stepped in `{fn}` does not hold all of the model's parameters.",
                                 "Use the optimizer you were given."),
    "manual-update": ("`{fn}` changed the weights without the optimizer it was given.",
                      "Train with the optimizer passed in: optimizer.step()."),
    "forward-called-directly": ("`{fn}` calls model.forward(x) instead of model(x).",
                                "Call the model itself, model(xb), so that its hooks run."),
    "loss-broadcast": ("In `{fn}` the loss compared tensors of different shapes: {warning}.",
                       "The prediction and the target must have the same shape, [batch, 1] here."),
    "zero-gradient": ("In `{fn}` every gradient was exactly zero straight after backward(): the loss does not depend "
                      "on the weights.", "Compute the loss from model(xb), the model's own output."),
}


def explain_batches(probe, fn: str) -> None:
    """Fail with the first loop mistake the probe saw while `fn` trained over a loader; return if none."""
    from torchtutor.diagnose.loop_probe import loop_mistake

    mistake = loop_mistake(probe)
    if mistake is None:
        return
    summary, detail = BATCH_WORDS.get(mistake.id, ("`{fn}` does not train as the loop should: " + mistake.id + ".",
                                                   HEARTBEAT))
    words = {"fn": fn, "warning": str(mistake.evidence.get("warning", ""))}
    misconceptions = ["zero-grad-is-boilerplate"] if mistake.id == "missing-zero-grad" else []
    fail(summary.format(**words), detail.format(**words), failure=mistake.id, misconceptions=misconceptions)

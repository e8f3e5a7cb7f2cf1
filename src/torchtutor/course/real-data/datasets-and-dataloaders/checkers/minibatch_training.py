"""Checker for datasets-and-dataloaders/minibatch-training: one heartbeat per batch, the per-sample mean loss."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from torchtutor.checks import Wrong, WrongError, describe, expect_close, fail
from torchtutor.diagnose.loop_probe import LoopProbe, TooManySteps

import _loaders as ld

N, BATCH = 150, 32                  # four batches of 32 and one of 22


class RecordingMSE(nn.MSELoss):
    """nn.MSELoss that remembers every value it returned and the batch size it saw."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def forward(self, y_hat, y):
        loss = super().forward(y_hat, y)
        self.calls.append((float(loss.detach()), int(y.shape[0]) if y.dim() else 1))
        return loss


def _setup():
    generator = torch.Generator().manual_seed(5)
    X = torch.rand(N, 1, generator=generator) * 2 - 1
    Y = 2 * X + 1
    loader = DataLoader(TensorDataset(X, Y), batch_size=BATCH, shuffle=True, generator=generator)
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    return model, loader, torch.optim.SGD(model.parameters(), lr=0.1)


def check(ex):
    model, loader, optimizer = _setup()
    loss_fn = RecordingMSE()
    probe = LoopProbe(model, max_steps=10 * N)
    with probe:
        result = ex.call("train_epoch", model, loader, loss_fn, optimizer, context=probe.crash_context,
                         errors=[WrongError(TooManySteps, "", "`train_epoch` ran far more optimizer steps than one "
                                            "epoch has batches.", failure="too-many-steps")],
                         doing="Calling `train_epoch(model, loader, loss_fn, optimizer)` on the checker's data")
    ld.explain_batches(probe, "train_epoch")
    steps, batches = len(probe.steps), len(loader)
    if steps == 1 and batches > 1:
        fail(f"`train_epoch` made one optimizer step for the whole epoch; the loader has {batches} batches.",
             "Mini-batch training steps once per batch: the heartbeat goes inside `for xb, yb in loader:`. Summing "
             "the batch losses and stepping once at the end is full-batch training again.", failure="one-step-per-epoch")
    if steps == N:
        fail(f"`train_epoch` made {N} steps, one per sample: it iterates the Dataset (loader.dataset), not the "
             "DataLoader.", "for xb, yb in loader: serves batches of 32.", failure="iterated-dataset")
    if steps != batches:
        fail(f"`train_epoch` made {steps} optimizer steps; one epoch over this loader has {batches} batches, one step "
             "each.", failure="wrong-step-count")
    if result is None:
        fail("`train_epoch` returns None: return the epoch's mean loss per sample, a float.", failure="placeholder")
    if isinstance(result, torch.Tensor):
        fail(f"`train_epoch` returns a tensor ({describe(result)}); return a Python float: add up loss.item() values.",
             "A tensor loss kept across batches also keeps every batch's graph alive.", failure="not-a-float")
    recorded = loss_fn.calls[-batches:]
    weighted = sum(v * n for v, n in recorded) / sum(n for _, n in recorded)
    plain = sum(v for v, _ in recorded) / len(recorded)
    expect_close(result, weighted, name="train_epoch(...)", rtol=1e-4, atol=1e-6, wrong=[
        Wrong(f"`train_epoch` returns the plain mean of the {batches} batch losses. The last batch holds only "
              f"{N - (batches - 1) * BATCH} samples, so it counts as much as a full one that way.",
              value=plain, failure="unweighted-mean", misconceptions=["last-batch-is-full"],
              details=["Weight each batch by its size: total += loss.item() * len(xb); count += len(xb); "
                       "return total / count."]),
        Wrong("`train_epoch` returns the loss of the last batch only, not the mean over the epoch.",
              value=recorded[-1][0], failure="last-batch-loss"),
        Wrong("`train_epoch` returns the sum of the batch losses; divide by the number of samples.",
              value=sum(v for v, _ in recorded), failure="sum-not-mean"),
        Wrong("`train_epoch` returns the sum of the per-sample losses without dividing by the number of samples.",
              value=sum(v * n for v, n in recorded), failure="sum-not-mean"),
    ])

    epochs = ex.get("EPOCHS")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 50:
        fail(f"`EPOCHS` should be a small whole number (1 to 50), but it is {describe(epochs)}.", failure="wrong-type")
    fitted = ex.call("fit", doing="Calling `fit()`")
    fitted_model, losses = fitted
    w, b = fitted_model.weight.item(), fitted_model.bias.item()
    if abs(w - 2) > 0.05 or abs(b - 1) > 0.05:
        fail(f"After fit() with EPOCHS = {epochs} the line is w = {w:.3f}, b = {b:.3f}; it should be within 0.05 of "
             "w = 2, b = 1.", "If the epoch losses are still falling, raise EPOCHS.", failure="not-converged")
    return (f"One clean step per batch ({batches} per epoch), the epoch's loss weighted by batch size, and fit() lands "
            f"on w = {w:.3f}, b = {b:.3f} after {epochs} epochs of 16 steps each.")

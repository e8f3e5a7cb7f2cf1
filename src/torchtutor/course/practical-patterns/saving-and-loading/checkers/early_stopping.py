"""Checker for saving-and-loading/early-stopping: the learner's fit_with_early_stopping on scripted validation curves.

Each scripted epoch sets the model's weights to values that name the epoch, so the checker can tell from the weights
(and from the checkpoint file) which epoch the model and the file hold."""

import pickle
import tempfile
from pathlib import Path

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail

# (validation losses by epoch, patience, expected best epoch, expected last epoch run)
CURVES = [
    ([1.0, 0.8, 0.7, 0.75, 0.69, 0.72, 0.71, 0.73, 0.70, 0.74, 0.76, 0.8, 0.9, 1.0], 3, 5, 8),
    ([1.2, 1.0, 0.9, 0.85, 0.86, 0.84, 0.83, 0.9, 0.82, 0.87, 0.88, 0.89, 0.95, 0.9, 0.92, 1.0], 5, 9, 14),
]


class Script:
    """train_one_epoch and validate for one curve; the model's weights encode the epoch."""

    def __init__(self, model: nn.Module, losses: list[float]):
        self.model = model
        self.losses = losses
        self.epoch = 0
        self.validated = 0

    def train_one_epoch(self) -> None:
        self.epoch += 1
        with torch.no_grad():
            self.model.weight.fill_(float(self.epoch))
            self.model.bias.fill_(-float(self.epoch))

    def validate(self) -> float:
        self.validated += 1
        i = self.epoch - 1
        return self.losses[i] if i < len(self.losses) else self.losses[-1] + 0.1 * (i - len(self.losses) + 1)


def _epoch_of(weights: torch.Tensor) -> float:
    return float(weights.reshape(-1)[0])


def _run(ex, losses, patience, best, last):
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    script = Script(model, losses)
    loads: list[bool] = []               # one entry per load_state_dict call: did it alias the model itself?
    original = model.load_state_dict

    def load_state_dict(state_dict, *args, **kwargs):
        own = {p.data_ptr() for p in model.parameters()}
        loads.append(any(isinstance(t, torch.Tensor) and t.data_ptr() in own for t in state_dict.values()))
        return original(state_dict, *args, **kwargs)

    model.load_state_dict = load_state_dict
    curve = ", ".join(f"{v:g}" for v in losses[:last + 2])
    with tempfile.TemporaryDirectory(prefix="torchtutor-check-") as folder:
        path = Path(folder) / "best.pt"
        result = ex.call("fit_with_early_stopping", model, optimizer, script.train_one_epoch, script.validate, path,
                         patience, max_epochs=60)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            fail(f"`fit_with_early_stopping` should return (best_epoch, epochs_run), but it returned {describe(result)}.",
                 failure="placeholder" if result is None else "wrong-type")
        ran = script.epoch
        where = f"On validation losses {curve}, ... (epochs 1, 2, ...) with patience {patience}"
        if ran >= 60:
            fail(f"{where}, training never stopped: it ran all 60 epochs.",
                 "Count the epochs in a row without a new best, and break out of the loop when the count reaches "
                 "patience.", failure="never-stopped")
        if ran != last:
            reason = ("The counter must go back to 0 at every new best: patience counts epochs *in a row* without one."
                      if ran < last else
                      "Stop as soon as `patience` epochs in a row brought no new best, compared with the best so far "
                      "(not with the previous epoch).")
            fail(f"{where}, your loop stopped after epoch {ran}; it should stop after epoch {last}.",
                 f"The best loss is {losses[best - 1]:g} at epoch {best}; epochs {best + 1} to {last} are the "
                 f"{patience} without a new best.", reason,
                 failure="stopped-early" if ran < last else "stopped-late")
        best_epoch, epochs_run = result
        if epochs_run != ran:
            fail(f"`fit_with_early_stopping` returned epochs_run = {epochs_run!r}, but it ran {ran} epochs.",
                 "Return the number of the last epoch that ran (epochs count from 1).", failure="wrong-epochs-run")
        if best_epoch != best:
            fail(f"{where}, the best epoch is {best} (loss {losses[best - 1]:g}), but your function returned "
                 f"{best_epoch!r}.", "Epochs count from 1; return the epoch whose validation loss was lowest.",
                 failure="wrong-best-epoch")
        final = _epoch_of(model.weight.detach())
        if final != best:
            if any(loads):
                fail(f"The weights you 'restored' are the last epoch's ({ran}), not the best epoch's ({best}): the "
                     "state_dict you kept for the best epoch moved with the model.",
                     "model.state_dict() shares memory with the live parameters, so a copy kept in a variable always "
                     "holds the current weights. Save the best to the file and load it back from there, or keep "
                     "copy.deepcopy(model.state_dict()).",
                     misconceptions=["state-dict-is-a-copy"], failure="aliased-best")
            fail(f"After the loop the model holds the weights of epoch {final:g}, not those of the best epoch ({best}).",
                 f"Stopping leaves the weights {patience} epochs past their best. Restore the best checkpoint before "
                 "returning: model.load_state_dict(torch.load(path, weights_only=True)['model']).",
                 misconceptions=["early-stop-keeps-last-weights"], failure="not-restored")
        if not path.is_file():
            fail("No checkpoint file at `path`: save the best epoch's checkpoint there.", failure="no-file")
        try:
            ckpt = torch.load(path, weights_only=True)
        except pickle.UnpicklingError:
            fail("The checkpoint at `path` does not load with weights_only=True.",
                 "Store state_dicts and plain numbers only.", failure="wrong-file")
        if not isinstance(ckpt, dict) or not {"model", "optimizer", "epoch", "loss"} <= set(ckpt):
            fail(f"The checkpoint should be a dict with 'model', 'optimizer', 'epoch' and 'loss'; it is "
                 f"{describe(ckpt)}.", failure="missing-keys")
        if ckpt["epoch"] != best or _epoch_of(ckpt["model"]["weight"]) != best:
            fail(f"The checkpoint file holds epoch {ckpt['epoch']!r} (its weights are epoch "
                 f"{_epoch_of(ckpt['model']['weight']):g}'s); it should hold the best epoch, {best}.",
                 "Save only when the validation loss beats the best so far, right after that epoch.",
                 failure="wrong-checkpoint")
    return best


def check(ex):
    for losses, patience, best, last in CURVES:
        _run(ex, losses, patience, best, last)
    return ("Stopped at the right epoch on both curves, saved the best checkpoint and restored it: patience, save "
            "best, restore best.")

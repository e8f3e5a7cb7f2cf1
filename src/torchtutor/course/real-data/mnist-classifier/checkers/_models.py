"""Models, data and runtime probes shared by this lesson's checkers (a helper, not a checker: no check()).

Everything here is evidence from running the learner's code on the checker's own models:
which mode each forward pass ran in, whether gradients were being recorded, whether its
output was trained on, and whether the model's weights and batch norm statistics changed.
Checkers import it as ``import _models as md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from torchtutor.checks import fail

MEAN, STD = 0.1307, 0.3081


def prepare(images: torch.Tensor) -> torch.Tensor:
    """uint8 [N, 28, 28] -> normalised float [N, 1, 28, 28], as the lesson prepares MNIST."""
    return ((images.float() / 255 - MEAN) / STD).unsqueeze(1)


def blob_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A small ten-class problem a tiny network learns in a fraction of a second."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.randn(10, 20, generator=torch.Generator().manual_seed(99)) * 0.6
    labels = torch.randint(0, 10, (n,), generator=generator)
    return centres[labels] + torch.randn(n, 20, generator=generator), labels


def moody_model(seed: int = 0, p: float = 0.5) -> nn.Sequential:
    """A network whose train() and eval() modes give different answers: batch norm and dropout."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(20, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 10))


def trained_moody_model(seed: int = 0) -> nn.Sequential:
    model = moody_model(seed)
    X, y = blob_data(512, seed + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for start in range(0, 512 * 4, 64):
        rows = slice(start % 512, start % 512 + 64)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(X[rows]), y[rows]).backward()
        optimizer.step()
    return model


def blob_loader(n: int, batch_size: int, seed: int, shuffle: bool = False) -> DataLoader:
    X, y = blob_data(n, seed)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle,
                      generator=torch.Generator().manual_seed(seed) if shuffle else None)


@dataclass
class Pass:
    """One forward pass of the watched model."""

    training: bool                  # model.training during the pass
    grad_enabled: bool              # torch.is_grad_enabled() during the pass
    batch: int                      # rows in the input
    trained_on: bool = False        # a backward pass reached its output


@dataclass
class ModeWatch:
    """Records every forward pass of ``model`` while the learner's code runs. Use as a context manager."""

    model: nn.Module
    passes: list[Pass] = field(default_factory=list)

    def __post_init__(self):
        self._handle = None
        self.before = {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def _hook(self, module, args, output):
        x = args[0] if args else None
        record = Pass(module.training, torch.is_grad_enabled(), int(x.shape[0]) if isinstance(x, torch.Tensor)
                      and x.dim() else 0)
        self.passes.append(record)
        if isinstance(output, torch.Tensor) and output.requires_grad:
            def mark(grad, record=record):
                record.trained_on = True
            output.register_hook(mark)

    def __enter__(self):
        self._handle = self.model.register_forward_hook(self._hook)
        return self

    def __exit__(self, *exc):
        self._handle.remove()

    def changed(self) -> list[str]:
        """Names in the state_dict (weights and batch norm statistics) whose values changed."""
        after = self.model.state_dict()
        return [k for k, v in self.before.items() if not torch.equal(v, after[k].detach())]


def expect_evaluation_passes(watch: ModeWatch, what: str) -> None:
    """Every pass was in eval mode with recording off, and nothing in the model changed."""
    if not watch.passes:
        fail(f"{what} never ran the model.", "Call model(xb) on every batch.", failure="no-forward")
    if any(p.training for p in watch.passes):
        buffers = [k for k in watch.changed() if "running" in k]
        extra = (f" Batch norm even updated its running statistics ({', '.join(buffers[:2])}) with the data being "
                 "measured." if buffers else "")
        fail(f"{what} ran the model in training mode: dropout dropped units at random and batch norm used the "
             "statistics of each batch, so the number measured a different network every time." + extra,
             "Call model.eval() before the first forward pass.", failure="eval-mode-missing",
             misconceptions=["eval-mode-optional"])
    if any(p.grad_enabled for p in watch.passes):
        fail(f"{what} recorded a graph on every forward pass although nothing is ever walked backward.",
             "model.eval() does not stop recording; wrap the loop in `with torch.no_grad():`.",
             failure="no-grad-missing", misconceptions=["eval-disables-gradients"])
    changed = watch.changed()
    if changed:
        fail(f"{what} changed the model ({', '.join(changed[:3])}): evaluation must leave it as it was.",
             "No loss.backward(), no optimizer.step() in an evaluation.", failure="evaluation-changed-model")


# ------------------------------------------------------------------ loop mistakes

#: This lesson's words for the loop mistakes the probe can report that the catalogue does not describe.
OWN_WORDS = {
    "no-training": "`{fn}` never called loss.backward() or optimizer.step(): nothing was trained.",
    "manual-update": "`{fn}` changed the weights without the optimizer.",
    "other-model": "`{fn}` steps an optimizer that holds none of this model's parameters.",
    "zero-gradient": "In `{fn}` every gradient was exactly zero right after backward(): the loss does not depend on "
                     "the weights.",
    "backward-twice": "`{fn}` calls backward() more than once per optimizer step.",
    "stale-gradient": "In `{fn}` a step used a gradient that is not its own batch's.",
}
HEARTBEAT = "Per batch: optimizer.zero_grad(), logits = model(xb), loss = criterion(logits, yb), loss.backward(), " \
            "optimizer.step()."


def explain_loop(probe, fn: str) -> None:
    """Fail with the first loop mistake the probe saw while `fn` trained; the catalogue's words where it has them."""
    from torchtutor.diagnose import catalogue
    from torchtutor.diagnose.loop_probe import loop_mistake

    mistake = loop_mistake(probe)
    if mistake is None:
        return
    if mistake.id in catalogue.ids():
        entry = catalogue.get(mistake.id)
        fail(f"In `{fn}`: {entry.title[0].lower()}{entry.title[1:]}.", entry.explanation, HEARTBEAT,
             failure=mistake.id)
    fail(OWN_WORDS.get(mistake.id, "`{fn}` does not train as the loop should.").format(fn=fn), HEARTBEAT,
         failure=mistake.id)

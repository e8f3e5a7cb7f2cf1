"""The reference training pipeline behind ``torchtutor project mnist | fashion-mnist``.

Read it top to bottom; each step is one function:

1. ``configure_threads``: one compute thread per CPU core this process may use, so that
   several programs on a small shared machine do not fight over cores.
2. ``pick_device``: CUDA, else Apple's MPS, else the CPU; ``pick_precision``: bfloat16
   autocast where the hardware computes bfloat16 natively, else float32.
3. ``load_splits``: uint8 images straight from ``torchtutor.data``, kept on the device. A
   validation split is held out of the training images for early stopping and for choosing
   the best epoch; the test split is only ever measured.
4. ``batches``: a fresh random order every epoch; each batch is scaled, normalised and
   augmented as one tensor (no per-sample transforms, no DataLoader workers).
5. ``train_epoch`` and ``evaluate``: the classic loop (``model.train()``, ``zero_grad``,
   ``backward``, ``step``; then ``model.eval()`` under ``torch.no_grad()``).
6. ``run``: epochs with AdamW and a one-cycle learning-rate schedule; a checkpoint after
   every epoch (``last.pt``: model, optimizer, scheduler, random states, history) and of
   the best one (``best.pt``); early stopping; ``--resume`` from ``last.pt``; TensorBoard
   logs; at the end the best model's per-class accuracy, confusion matrix and curves.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from ..data import load_dataset, locate
from . import models

VAL_FRACTION = 1 / 12  # 5,000 of the 60,000 training images (333 of the sample's 4,000)


class ProjectError(Exception):
    """A run that cannot start or resume as asked; the message is one paragraph."""


@dataclass
class Config:
    dataset: str = "fashion-mnist"
    model: str = "cnn"
    epochs: int = 12
    batch_size: int = 256
    lr: float = 4e-3  # the one-cycle peak
    weight_decay: float = 5e-4
    patience: int = 4  # epochs without a better validation accuracy before stopping
    augment: bool = True  # mirror images (Fashion-MNIST only) and random shifts, per image, in the batch
    shift: int | None = None  # the largest random shift in pixels; None: the model's own (SHIFTS)
    mirror_test: bool = True  # Fashion-MNIST: judge each image together with its mirror image (see evaluate)
    precision: str = "auto"  # auto, fp32 or bf16 (bfloat16 autocast for the forward pass and the loss)
    width: int = 24  # the CNN's first-layer channels (doubling per block)
    data: str = "auto"  # full, sample, or auto (full if it is on this machine, else the sample)
    data_dir: str | None = None
    out: str = ""  # default: runs/<dataset>-<model>
    resume: bool = False
    seed: int = 0
    threads: int | None = None
    device: str | None = None
    target: float | None = None  # stop as soon as test accuracy reaches this (benchmarks)
    tensorboard: bool = True
    figures: bool = True

    def mirrors(self) -> bool:
        """A mirrored shoe is still a shoe; a mirrored digit is not a digit (MNIST never flips)."""
        return self.dataset == "fashion-mnist"

    def out_dir(self) -> Path:
        return Path(self.out or f"runs/{self.dataset}-{self.model}")


@dataclass
class Epoch:
    epoch: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    test_loss: float
    test_acc: float
    lr: float
    seconds: float  # wall time of this epoch (training and evaluation)


@dataclass
class Report:
    config: dict
    device: str
    threads: int
    precision: str  # what the forward passes of training ran in: fp32 or bf16
    mirror_test: bool  # whether validation and test images were judged with their mirror images
    data: str  # where the data came from
    sizes: dict
    history: list[Epoch] = field(default_factory=list)
    best_epoch: int = 0
    stopped: str = ""  # why training ended
    test_acc: float = 0.0  # of the best checkpoint
    test_loss: float = 0.0
    per_class: dict = field(default_factory=dict)
    confusions: list = field(default_factory=list)  # the most frequent mistakes: true, predicted, count
    files: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- 1-2: machine
def configure_threads(requested: int | None = None) -> int:
    """How many compute threads to use: ``requested``, else OMP_NUM_THREADS, else the idle cores.

    On a shared machine, a thread whose core is busy with another program makes every
    parallel step wait for it: on 2 cores under a load of 10, one thread trains an epoch
    several times faster than two. So by default we count the cores this process may run on
    and leave out the ones the load average says are busy (keeping at least one).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    env = os.environ.get("OMP_NUM_THREADS", "")
    if requested:
        limit = requested
    elif env.isdigit() and int(env) > 0:
        limit = int(env)
    else:
        busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        limit = int(cores - busy + 0.5)
    threads = max(1, min(limit, cores))
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)  # inter-op parallelism only adds contention for these small models
    except RuntimeError:  # already set, or parallel work has started: keep what is there
        pass
    return threads


def pick_device(requested: str | None = None) -> torch.device:
    if requested:
        return torch.device(requested)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


PRECISIONS = ("auto", "fp32", "bf16")

#: The default random shift per model. A convolution finds a sleeve wherever it is, so one-pixel
#: shifts teach the CNN what it must ignore (it overfit without them: train 97.7%, validation
#: 93.5%). An MLP has one weight per pixel position, so a shifted coat is a new coat to it, and
#: shifts only cost it accuracy (full data, 12 epochs: 89.57% without, 88.97% with one pixel).
SHIFTS = {"mlp": 0, "cnn": 1}


def pick_precision(requested: str, device: torch.device) -> str:
    """``fp32`` or ``bf16``: what training's forward passes run in (evaluation always runs in float32).

    ``auto`` picks bfloat16 only where the hardware multiplies it natively: a CUDA GPU that
    supports it, or a CPU with Intel AMX tiles (on those, a training step of the CNN takes about
    half the time). Elsewhere bfloat16 is emulated and slower than float32, so ``auto`` stays
    with float32. bfloat16 keeps float32's exponent range, so unlike float16 it needs no
    ``GradScaler`` (gpu-training explains why).
    """
    if requested not in PRECISIONS:
        raise ProjectError(f"There is no precision {requested!r}; choose one of {', '.join(PRECISIONS)}.")
    if requested != "auto":
        return requested
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    if device.type == "cpu":
        amx = getattr(torch.cpu, "_is_amx_tile_supported", None)
        return "bf16" if amx is not None and amx() else "fp32"
    return "fp32"


# --------------------------------------------------------------------------- 3-4: data
@dataclass
class Split:
    images: torch.Tensor  # uint8 [N, 28, 28] on the device
    labels: torch.Tensor  # int64 [N] on the device


def load_splits(config: Config, device: torch.device) -> tuple[dict[str, Split], str, tuple[str, ...]]:
    """train / val / test, plus where the data came from and the class names."""
    sample = config.data == "sample"
    if config.data == "auto":
        sample = locate(config.dataset, Path(config.data_dir) if config.data_dir else None) is None
    train = load_dataset(config.dataset, "train", sample=sample, data_dir=config.data_dir, download=False)
    test = load_dataset(config.dataset, "test", sample=sample, data_dir=config.data_dir, download=False)
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(1234))  # a fixed held-out set
    n_val = round(len(train) * VAL_FRACTION)
    val_idx, train_idx = order[:n_val], order[n_val:]
    splits = {"train": Split(train.images[train_idx], train.labels[train_idx]),
              "val": Split(train.images[val_idx], train.labels[val_idx]),
              "test": Split(test.images, test.labels)}
    splits = {k: Split(s.images.to(device), s.labels.to(device)) for k, s in splits.items()}
    return splits, train.source, train.classes


def pixel_stats(images: torch.Tensor) -> tuple[float, float]:
    """Mean and standard deviation of the training pixels on the 0-1 scale."""
    x = images.double() / 255
    return x.mean().item(), x.std().item()


def to_input(images: torch.Tensor, mean: float, std: float) -> torch.Tensor:
    """uint8 [N, 28, 28] -> normalised float [N, 1, 28, 28], for the whole batch at once (channels-last strides)."""
    x = images.unsqueeze(1).float().div_(255).sub_(mean).div_(std)
    return x.contiguous(memory_format=torch.channels_last)


def augment(x: torch.Tensor, generator: torch.Generator, flip: bool, shift: int = 2) -> torch.Tensor:
    """Random translations of up to ``shift`` pixels (and mirror images if ``flip``), per image, in-batch."""
    n, _, h, w = x.shape
    if shift:
        x = _shifted(x, generator, shift)
    if flip:  # a mirrored shoe is still a shoe; a mirrored digit is not a digit (MNIST never flips)
        mirrored = (torch.rand(n, generator=generator) < 0.5).to(x.device)
        x = torch.where(mirrored[:, None, None, None], x.flip(-1), x)
    return x


def _shifted(x: torch.Tensor, generator: torch.Generator, shift: int) -> torch.Tensor:
    """Each image moved by its own random offset in [-shift, shift] pixels; the border fills with background."""
    n, _, h, w = x.shape
    padded = F.pad(x, (shift, shift, shift, shift), value=x.min().item())
    dy = torch.randint(0, 2 * shift + 1, (n,), generator=generator).to(x.device)
    dx = torch.randint(0, 2 * shift + 1, (n,), generator=generator).to(x.device)
    rows = (torch.arange(h, device=x.device)[None, :] + dy[:, None])[:, :, None]  # [n, h, 1]
    cols = (torch.arange(w, device=x.device)[None, :] + dx[:, None])[:, None, :]  # [n, 1, w]
    return padded[torch.arange(n, device=x.device)[:, None, None], 0, rows, cols].unsqueeze(1)


def batches(split: Split, batch_size: int, generator: torch.Generator):
    """(images, labels) batches of uint8 images in a new random order each call."""
    order = torch.randperm(len(split.labels), generator=generator).to(split.labels.device)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        if len(idx) > 1:  # BatchNorm needs two or more samples in training mode
            yield split.images[idx], split.labels[idx]


# --------------------------------------------------------------------------- 5: the loop
def train_epoch(model, optimizer, scheduler, split: Split, config: Config, stats, generator,
                on_batch: Callable[[float], None]) -> tuple[float, float]:
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in batches(split, config.batch_size, generator):
        x = to_input(images, *stats)
        if config.augment:
            x = augment(x, generator, flip=config.mirrors(), shift=config.shift)
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=config.precision == "bf16"):
            logits = model(x)
        # the loss in float32 whatever the forward pass ran in: a softmax over bfloat16's 8 bits of mantissa
        # rounds small gradients away
        loss = F.cross_entropy(logits.float(), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total_loss += loss.item() * len(labels)
        correct += (logits.argmax(dim=1) == labels).sum().item()
        seen += len(labels)
        on_batch(loss.item())
    return total_loss / seen, correct / seen


@torch.no_grad()
def evaluate(model, split: Split, stats, batch_size: int = 1000,
             mirror: bool = False) -> tuple[float, float, torch.Tensor]:
    """Mean loss, accuracy and the predictions, with dropout off and BatchNorm's running statistics.

    With ``mirror`` (test-time augmentation), each image's class probabilities are the average of
    the image's and its mirror image's: the model was trained on both, and two looks at one coat
    disagree less often than one. The validation split, which chooses the kept epoch, is judged
    the same way as the test split.
    """
    model.eval()
    total_loss, predictions = 0.0, []
    for start in range(0, len(split.labels), batch_size):
        x = to_input(split.images[start:start + batch_size], *stats)
        labels = split.labels[start:start + batch_size]
        if mirror:
            probs = (model(x).softmax(dim=1) + model(x.flip(-1)).softmax(dim=1)) / 2
            total_loss += F.nll_loss(probs.clamp_min(1e-12).log(), labels, reduction="sum").item()
            predictions.append(probs.argmax(dim=1))
        else:
            logits = model(x)
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            predictions.append(logits.argmax(dim=1))
    predicted = torch.cat(predictions)
    return total_loss / len(split.labels), (predicted == split.labels).float().mean().item(), predicted


# --------------------------------------------------------------------------- 6: epochs, checkpoints, report
def _checkpoint(path: Path, **state) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)  # a Ctrl-C during the save never leaves half a checkpoint


def run(config: Config, progress=None) -> Report:
    """Train, evaluate every epoch, checkpoint, stop early; return the report of the best model.

    ``progress`` is an object with ``start(epoch, total_batches)``, ``advance(loss)`` and
    ``epoch_done(Epoch)`` (the CLI passes a rich progress bar); None trains silently.
    """
    started = time.perf_counter()
    if config.model not in models.MODELS:
        raise ProjectError(f"There is no model {config.model!r}; choose one of {', '.join(models.MODELS)}.")
    threads = configure_threads(config.threads)
    device = pick_device(config.device)
    config = replace(config, precision=pick_precision(config.precision, device),   # the caller's config stays
                     shift=SHIFTS[config.model] if config.shift is None else config.shift)  # as given
    torch.manual_seed(config.seed)
    splits, source, classes = load_splits(config, device)
    stats = pixel_stats(splits["train"].images)
    model = models.build(config.model, config.width).to(device)
    if config.model == "cnn":  # oneDNN's convolutions run 20-30% faster on CPU in the channels-last layout
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps = math.ceil(len(splits["train"].labels) / config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=config.epochs * steps)
    generator = torch.Generator().manual_seed(config.seed)
    out = config.out_dir()
    out.mkdir(parents=True, exist_ok=True)
    last, best = out / "last.pt", out / "best.pt"
    report = Report(asdict(config), str(device), threads, config.precision, config.mirror_test and config.mirrors(),
                    source, {k: len(s.labels) for k, s in splits.items()})
    best_acc, stale = -1.0, 0

    if config.resume:
        report.history, best_acc, stale, report.best_epoch = _resume(last, model, optimizer, scheduler, generator,
                                                                     config)
    writer = _tensorboard(out / "tensorboard") if config.tensorboard else None

    report.stopped = f"trained for all {config.epochs} epoch{'s' if config.epochs != 1 else ''}"
    for epoch in range(len(report.history) + 1, config.epochs + 1):
        if stale >= config.patience:
            break
        t0 = time.perf_counter()
        if progress:
            progress.start(epoch, steps)
        train_loss, train_acc = train_epoch(model, optimizer, scheduler, splits["train"], config, stats, generator,
                                            progress.advance if progress else lambda loss: None)
        mirror = config.mirror_test and config.mirrors()
        val_loss, val_acc, _ = evaluate(model, splits["val"], stats, mirror=mirror)
        test_loss, test_acc, _ = evaluate(model, splits["test"], stats, mirror=mirror)
        row = Epoch(epoch, train_loss, train_acc, val_loss, val_acc, test_loss, test_acc,
                    scheduler.get_last_lr()[0], time.perf_counter() - t0)
        report.history.append(row)
        improved = val_acc > best_acc
        best_acc, stale = (val_acc, 0) if improved else (best_acc, stale + 1)
        report.best_epoch = epoch if improved else report.best_epoch
        state = dict(model=model.state_dict(), optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict(),
                     epoch=epoch, history=[asdict(e) for e in report.history], best_acc=best_acc, stale=stale,
                     best_epoch=report.best_epoch,
                     stats=stats, classes=classes, config=asdict(config), torch_rng=torch.get_rng_state(),
                     generator=generator.get_state())
        _checkpoint(last, **state)
        if improved:
            _checkpoint(best, **state)
        if writer:
            for name in ("loss", "acc"):
                writer.add_scalars(name, {s: getattr(row, f"{s}_{name}") for s in ("train", "val", "test")}, epoch)
            writer.add_scalar("lr", row.lr, epoch)
            writer.flush()
        if progress:
            progress.epoch_done(row, improved)
        if config.target is not None and test_acc >= config.target:
            report.stopped = f"reached the target test accuracy {config.target:.1%} at epoch {epoch}"
            break
    if stale >= config.patience and report.history and report.history[-1].epoch < config.epochs:
        report.stopped = (f"stopped early after epoch {report.history[-1].epoch}: no better validation accuracy "
                          f"for {config.patience} epochs")
    if writer:
        writer.close()

    _finish(report, best if best.exists() else last, model, splits["test"], stats, classes, out, config)
    report.seconds = time.perf_counter() - started
    (out / "report.json").write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    report.files["report"] = str(out / "report.json")
    return report


def _resume(last: Path, model, optimizer, scheduler, generator, config: Config):
    if not last.exists():
        raise ProjectError(f"There is nothing to resume: {last} does not exist. Run without --resume to start, "
                        f"or give the --out folder of the run to continue.")
    try:
        state = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
    except Exception as exc:
        raise ProjectError(f"{last} cannot be resumed from ({type(exc).__name__}: {str(exc)[:200]}). It may come from "
                        "another model or be damaged; start again without --resume.") from None
    if state["config"]["model"] != config.model or state["config"]["dataset"] != config.dataset:
        raise ProjectError(f"{last} is a {state['config']['dataset']} {state['config']['model']} run; resume it with "
                        f"the same dataset and --model, or choose another --out.")
    if state["config"]["epochs"] != config.epochs:
        raise ProjectError(f"{last} was started for {state['config']['epochs']} epochs, and its learning-rate schedule "
                           f"is planned for exactly that many; resume it with --epochs {state['config']['epochs']}, or "
                           f"start a new run (another --out) to train for {config.epochs}.")
    torch.set_rng_state(state["torch_rng"])
    generator.set_state(state["generator"])
    return [Epoch(**e) for e in state["history"]], state["best_acc"], state["stale"], state["best_epoch"]


def _tensorboard(folder: Path):
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(folder))


def _finish(report: Report, checkpoint: Path, model, test: Split, stats, classes, out: Path, config: Config) -> None:
    """Restore the best weights and measure them on the test split: per class, confusions, figures."""
    from . import figures

    model.load_state_dict(torch.load(checkpoint, map_location=test.labels.device, weights_only=False)["model"])
    report.test_loss, report.test_acc, predicted = evaluate(model, test, stats,
                                                            mirror=config.mirror_test and config.mirrors())
    n = len(classes)
    confusion = torch.bincount(test.labels.cpu() * n + predicted.cpu(), minlength=n * n).reshape(n, n)
    per_class = confusion.diag().double() / confusion.sum(dim=1).clamp(min=1).double()
    report.per_class = {name: round(acc, 4) for name, acc in zip(classes, per_class.tolist())}
    off = confusion.clone()
    off.fill_diagonal_(0)
    top = torch.topk(off.flatten(), k=min(5, n * n)).indices
    report.confusions = [[classes[i // n], classes[i % n], int(off.flatten()[i])] for i in top.tolist()
                         if off.flatten()[i] > 0]
    report.files.update(checkpoint_last=str(out / "last.pt"), checkpoint_best=str(checkpoint))
    if config.tensorboard:
        report.files["tensorboard"] = str(out / "tensorboard")
    if config.figures:
        report.files["confusion_matrix"] = str(figures.confusion_matrix(confusion, classes, out / "confusion.png"))
        report.files["curves"] = str(figures.curves(report.history, out / "curves.png"))

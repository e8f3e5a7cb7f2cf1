"""Live training curves: a real MLP trained on the shipped MNIST / Fashion-MNIST sample.

:func:`training_curves_stream` validates its parameters at once (a bad value raises
:class:`WidgetError` before any training) and returns an iterator of snapshots: the run so
far, as the same dict :func:`training_curves` returns at the end, with ``done`` false until
the last one. Front ends draw each snapshot as it arrives (the web reader streams them, a
notebook sets them on its widget, the CLI shows a progress bar), so every front end shows
the same numbers.

The run draws every random number (initial weights, shuffling, dropout masks) from its own
``torch.Generator`` seeded with ``seed``: the same parameters give the same curves, and a run
never touches torch's global RNG, so it can train beside other widgets in one process.
Each stretch of training between two snapshots runs on one CPU thread (set for the calling
thread only, then restored): the model is small enough that more threads only add overhead,
and the numbers then do not depend on how many cores the machine has.
"""

from __future__ import annotations

import contextlib
import functools
import math
from typing import Iterator

from .errors import WidgetError

DATASETS = ("mnist", "fashion-mnist")
OPTIMIZERS = ("adam", "sgd")
BUGS = ("none", "no-zero-grad", "softmax-before-loss", "raw-pixels", "no-eval")
TRAIN_SIZE, VAL_SIZE = 3500, 500      # the lesson's split of the 4,000-image sample (random_split, seed 0)
MAX_STEPS = 3000
MAX_EVALS = 100
MAX_HIDDEN = 2048
MAX_BATCH = TRAIN_SIZE

BUG_NOTES = {
    "none": "",
    "no-zero-grad": "The loop never calls optimizer.zero_grad(), so every backward() adds its gradient to all the "
                    "earlier ones and each step follows that growing sum, not the current batch.",
    "softmax-before-loss": "The model's logits go through softmax before nn.CrossEntropyLoss, which applies its own "
                           "log-softmax: the loss can never fall below about 1.46 and the gradients are squashed.",
    "raw-pixels": "The images go in as raw pixel values from 0 to 255, not scaled and normalised with the training "
                  "statistics, so the first layer's outputs are huge and the first steps are wild.",
    "no-eval": "The evaluation never calls model.eval(), so layers with two modes (dropout here) keep their "
               "training behaviour while the accuracy is measured.",
}


def _config(dataset, optimizer, lr, batch, hidden, dropout, steps, eval_every, bug, seed) -> dict:
    def whole(name, value, low, high):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise WidgetError(f"training-curves --{name.replace('_', '-')} takes a whole number, not {value!r}.") from None
        if number != value and not isinstance(value, str) or not low <= number <= high:
            raise WidgetError(f"training-curves --{name.replace('_', '-')} must be a whole number from {low:,} to "
                              f"{high:,}, not {value!r}.")
        return number

    def choice(name, value, options):
        text = str(value).strip().lower()
        if text not in options:
            raise WidgetError(f"training-curves --{name} must be one of {', '.join(options)}, not {value!r}.")
        return text

    try:
        lr = float(lr)
        dropout = float(dropout)
    except (TypeError, ValueError):
        raise WidgetError(f"training-curves --lr and --dropout take numbers, not {lr!r} and {dropout!r}.") from None
    if not (math.isfinite(lr) and 0 < lr <= 10):
        raise WidgetError(f"training-curves --lr must be a learning rate above 0 and at most 10 (try 0.001 for Adam, "
                          f"0.1 for SGD), not {lr!r}.")
    if not (math.isfinite(dropout) and 0 <= dropout < 1):
        raise WidgetError(f"training-curves --dropout is the fraction of hidden units dropped while training, from 0 "
                          f"up to (not including) 1, not {dropout!r}.")
    steps = whole("steps", steps, 1, MAX_STEPS)
    eval_every = whole("eval_every", eval_every, 1, MAX_STEPS)
    if math.ceil(steps / eval_every) > MAX_EVALS:
        raise WidgetError(f"training-curves would measure accuracy {math.ceil(steps / eval_every)} times; at most "
                          f"{MAX_EVALS} are allowed, so use --eval-every {math.ceil(steps / MAX_EVALS)} or more for "
                          f"{steps} steps.")
    return {"dataset": choice("dataset", dataset, DATASETS), "optimizer": choice("optimizer", optimizer, OPTIMIZERS),
            "lr": lr, "batch": whole("batch", batch, 1, MAX_BATCH), "hidden": whole("hidden", hidden, 1, MAX_HIDDEN),
            "dropout": dropout, "steps": steps, "eval_every": eval_every, "bug": choice("bug", bug, BUGS),
            "seed": whole("seed", seed, 0, 2**31 - 1)}


@functools.lru_cache(maxsize=4)
def _splits(name: str, raw: bool):
    """The sample's 4,000 training images split 3,500 / 500 exactly as the lesson's random_split
    with seed 0 does, flattened and (unless ``raw``) normalised with the training part's statistics.
    Computed once per process: a run only ever reads these tensors."""
    import torch

    from ..data import DataError, load_dataset

    try:
        images, labels = load_dataset(name, "train", sample=True)
    except DataError as exc:
        raise WidgetError(f"training-curves could not load the {name} sample: {exc}") from None
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    x = images.reshape(len(images), -1).float()
    if not raw:
        x = x / 255
        train_part = x[order[:TRAIN_SIZE]]
        x = (x - train_part.mean()) / train_part.std()
    train, val = order[:TRAIN_SIZE], order[TRAIN_SIZE:TRAIN_SIZE + VAL_SIZE]
    return x[train], labels[train], x[val], labels[val]


def _model(hidden: int, dropout: float, generator):
    """Linear(784, hidden) -> ReLU [-> dropout] -> Linear(hidden, 10), initialised as nn.Linear
    initialises itself (uniform in +-1/sqrt(fan_in)) but from ``generator``."""
    import torch
    import torch.nn as nn

    class UnsetLinear(nn.Linear):
        """nn.Linear whose constructor leaves the weights alone (no global RNG) for the run to fill."""

        def reset_parameters(self) -> None:
            pass

    class SeededDropout(nn.Module):
        """nn.Dropout's behaviour, drawing its masks from the run's own generator."""

        def forward(self, x):
            if not self.training:
                return x
            keep = torch.rand(x.shape, generator=generator) >= dropout
            return x * keep / (1 - dropout)

    first, last = UnsetLinear(784, hidden), UnsetLinear(hidden, 10)
    with torch.no_grad():
        for layer in (first, last):
            bound = 1 / math.sqrt(layer.in_features)
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)
    layers = [first, nn.ReLU()] + ([SeededDropout()] if dropout else []) + [last]
    return nn.Sequential(*layers)


def warm_up() -> None:
    """Pay a run's one-time costs before the first one: torch.optim's first optimizer imports
    torch._dynamo (seconds on a slow machine) and the sample is decoded once per process. A
    server calls this at start, in the background, so the first Train answers at once."""
    import torch

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    _splits("mnist", raw=False)


def training_curves_stream(dataset: str = "mnist", optimizer: str = "adam", lr: float = 0.001, batch: int = 64,
                           hidden: int = 128, dropout: float = 0.0, steps: int = 300, eval_every: int = 25,
                           bug: str = "none", seed: int = 0) -> Iterator[dict]:
    """Check the parameters now, then return an iterator of snapshots of a real training run
    (see :func:`training_curves` for what they hold). The first snapshot is the untrained
    model's evaluation; one follows every ``eval_every`` steps and the last has ``done: True``."""
    cfg = _config(dataset, optimizer, lr, batch, hidden, dropout, steps, eval_every, bug, seed)
    data = _splits(cfg["dataset"], raw=cfg["bug"] == "raw-pixels")
    return _run(cfg, data)


def training_curves(dataset: str = "mnist", optimizer: str = "adam", lr: float = 0.001, batch: int = 64,
                    hidden: int = 128, dropout: float = 0.0, steps: int = 300, eval_every: int = 25,
                    bug: str = "none", seed: int = 0) -> dict:
    """Train ``Linear(784, hidden) -> ReLU [-> dropout] -> Linear(hidden, 10)`` with cross-entropy
    on 3,500 images of the shipped ``dataset`` sample (``mnist`` or ``fashion-mnist``) for
    ``steps`` mini-batches of ``batch`` images (reshuffled every epoch), with ``optimizer``
    (``adam`` or ``sgd``) at learning rate ``lr``; every ``eval_every`` steps measure loss and
    accuracy on the whole training part and on the 500 held-out validation images.

    ``bug`` plants one of the course's silent mistakes so its curves can be compared with a
    correct run: ``no-zero-grad``, ``softmax-before-loss``, ``raw-pixels`` or ``no-eval``.

    Returns ``losses`` (the training loss of every step; ``None`` where it stopped being a
    finite number), ``evals`` (``step``, ``epoch``, ``train_loss``, ``train_acc``,
    ``val_loss``, ``val_acc``), ``diverged_at``, the settings, ``note`` and ``summary``.
    """
    snapshot: dict = {}
    for snapshot in training_curves_stream(dataset, optimizer, lr, batch, hidden, dropout, steps, eval_every,
                                           bug, seed):
        pass
    return snapshot


@contextlib.contextmanager
def _one_thread():
    """One intra-op thread while the block runs. With PyTorch's OpenMP backend (the PyPI
    wheels) the setting belongs to the calling thread, so other threads keep theirs."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _run(cfg: dict, data) -> Iterator[dict]:
    import torch
    import torch.nn.functional as F

    x_train, y_train, x_val, y_val = data
    generator = torch.Generator().manual_seed(cfg["seed"])
    model = _model(cfg["hidden"], cfg["dropout"], generator)
    make = torch.optim.Adam if cfg["optimizer"] == "adam" else torch.optim.SGD
    opt = make(model.parameters(), lr=cfg["lr"])
    bug = cfg["bug"]

    def criterion(logits, targets):
        if bug == "softmax-before-loss":
            logits = logits.softmax(dim=1)
        return F.cross_entropy(logits, targets)

    def evaluate(x, y):
        if bug != "no-eval":
            model.eval()
        with torch.no_grad():
            logits = model(x)
            loss = criterion(logits, y).item()
            acc = (logits.argmax(dim=1) == y).sum().item() / len(y)
        model.train()
        return (loss if math.isfinite(loss) else None), acc

    losses: list[float | None] = []
    evals: list[dict] = []
    state = {"diverged_at": None}

    def measure(step: int) -> None:
        train_loss, train_acc = evaluate(x_train, y_train)
        val_loss, val_acc = evaluate(x_val, y_val)
        evals.append({"step": step, "epoch": step * cfg["batch"] / TRAIN_SIZE, "train_loss": train_loss,
                      "train_acc": train_acc, "val_loss": val_loss, "val_acc": val_acc})

    with _one_thread():
        measure(0)
    yield _snapshot(cfg, model, losses, evals, None, done=False)
    order = torch.empty(0, dtype=torch.long)
    cursor, step = 0, 0
    model.train()
    while step < cfg["steps"] and state["diverged_at"] is None:
        with _one_thread():
            while step < cfg["steps"]:
                step += 1
                if cursor >= len(order):          # a new epoch: reshuffle, as DataLoader(shuffle=True) does
                    order = torch.randperm(TRAIN_SIZE, generator=generator)
                    cursor = 0
                index = order[cursor:cursor + cfg["batch"]]
                cursor += cfg["batch"]
                if bug != "no-zero-grad":
                    opt.zero_grad()
                loss = criterion(model(x_train[index]), y_train[index])
                loss.backward()
                opt.step()
                value = loss.item()
                if not math.isfinite(value):
                    losses.append(None)
                    state["diverged_at"] = step
                    break
                losses.append(value)
                if step % cfg["eval_every"] == 0 or step == cfg["steps"]:
                    measure(step)
                    break
        if step < cfg["steps"] and state["diverged_at"] is None:
            yield _snapshot(cfg, model, losses, evals, None, done=False)
    final = _snapshot(cfg, model, losses, evals, state["diverged_at"], done=True)
    if bug == "no-eval" and cfg["dropout"]:   # what the same weights really score, measured in eval mode
        with _one_thread(), torch.no_grad():
            model.eval()
            final["val_acc_eval_mode"] = (model(x_val).argmax(dim=1) == y_val).sum().item() / len(y_val)
            model.train()
        final["summary"] += (f" Measured properly, with model.eval(), the same weights score "
                             f"{final['val_acc_eval_mode']:.1%} on validation, not {evals[-1]['val_acc']:.1%}.")
    yield final


def _snapshot(cfg: dict, model, losses: list, evals: list, diverged_at: int | None, *, done: bool) -> dict:
    hidden = cfg["hidden"]
    described = f"Linear(784, {hidden}) → ReLU → " + (f"Dropout({cfg['dropout']:g}) → " if cfg["dropout"] else "") \
        + f"Linear({hidden}, 10)"
    result = {
        "widget": "training-curves",
        **cfg,
        "model": described,
        "parameters": 784 * hidden + hidden + hidden * 10 + 10,
        "train_size": TRAIN_SIZE,
        "val_size": VAL_SIZE,
        "steps_done": len(losses),
        "epochs_done": len(losses) * cfg["batch"] / TRAIN_SIZE,
        "losses": list(losses),
        "loss_top": _loss_top(losses, evals),
        "evals": [dict(e) for e in evals],
        "diverged_at": diverged_at,
        "done": done,
        "note": BUG_NOTES[cfg["bug"]],
        "summary": _summary(cfg, losses, evals, diverged_at, done),
    }
    return result


def _loss_top(losses: list, evals: list) -> float:
    """The top of the loss axis both the page and the terminal draw: the largest loss so far, but
    at most four times the untrained model's loss (about log(10) = 2.30 for ten classes), so one
    wild step (a learning rate far too large) does not flatten the rest of the curve into the
    floor. Larger values are drawn at the top edge, and both front ends say how many there were."""
    finite = [v for v in losses if v is not None] + [v for e in evals for v in (e["train_loss"], e["val_loss"])
                                                     if v is not None]
    if not finite:
        return 1.0
    start = evals[0]["train_loss"] if evals and evals[0]["train_loss"] is not None else math.log(10)
    return max(min(max(finite), 4 * max(start, math.log(10))), 1e-6)


def _summary(cfg: dict, losses: list, evals: list, diverged_at: int | None, done: bool) -> str:
    last = evals[-1]
    if not done:
        return (f"Training: step {len(losses)} of {cfg['steps']}, validation accuracy {last['val_acc']:.1%} so far.")
    if diverged_at is not None:
        return (f"The loss stopped being a number at step {diverged_at}: the updates overshot until the weights "
                f"blew up. A learning rate of {cfg['lr']:g} is too large for {cfg['optimizer']} here; try one ten "
                "times smaller.")
    parts = [f"After {len(losses)} steps ({len(losses) * cfg['batch'] / TRAIN_SIZE:.1f} epochs of {TRAIN_SIZE:,} "
             f"images) the validation accuracy is {last['val_acc']:.1%} and the training accuracy "
             f"{last['train_acc']:.1%}, up from {evals[0]['val_acc']:.1%} before training."]
    finite = [v for v in losses if v is not None]
    chance = math.log(10)
    if finite and finite[0] > 3 * chance:
        parts.append(f"The first loss is {finite[0]:.2f}, far above log(10) = {chance:.2f}, the loss of a model "
                     "that knows nothing: the first layer's inputs are far too large.")
    if finite and max(finite) > 10 * finite[0]:
        worst = max(finite)
        parts.append(f"The loss jumped to {worst:.4g} at step {finite.index(worst) + 1}, far above where it started "
                     f"({finite[0]:.2f}): the steps overshoot. Try a learning rate ten times smaller.")
    gap = last["train_acc"] - last["val_acc"]
    if gap >= 0.03:
        parts.append(f"The {gap * 100:.1f}-point gap between them is overfitting: {TRAIN_SIZE:,} images are few for "
                     f"{784 * cfg['hidden'] + cfg['hidden'] * 11 + 10:,} parameters.")
    if cfg["bug"] == "no-eval" and not cfg["dropout"]:
        parts.append("This model has no dropout, so forgetting model.eval() changes nothing here: set dropout to 0.5 "
                     "to see it matter.")
    return " ".join(parts)

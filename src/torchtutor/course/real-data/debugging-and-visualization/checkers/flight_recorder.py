"""Checker for debugging-and-visualization/flight-recorder: the event files the learner's train_logged writes, read
back with TensorBoard's own reader and compared with a reference run."""

import copy
import tempfile
from pathlib import Path

import torch
import torch.nn as nn
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from torchtutor.checks import fail
from torchtutor.data import load_dataset

STEPS = 12
TAGS = ("loss/train", "accuracy/train")


def _reference(model, X, y):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses, accs = [], []
    for step in range(STEPS):
        xb, yb = X[100 * step:100 * (step + 1)], y[100 * step:100 * (step + 1)]
        optimizer.zero_grad()
        scores = model(xb)
        loss = nn.functional.cross_entropy(scores, yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        accs.append((scores.argmax(dim=1) == yb).float().mean().item())
    return losses, accs


def check(ex):
    images, labels = load_dataset("mnist", "train", sample=True)
    X, y = images[:100 * STEPS].float() / 255, labels[:100 * STEPS]
    torch.manual_seed(3)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))
    want_losses, want_accs = _reference(copy.deepcopy(model), X, y)
    with tempfile.TemporaryDirectory(prefix="torchtutor-runs-") as folder:
        ex.call("train_logged", model, X, y, folder, STEPS)
        files = list(Path(folder).rglob("events.out.tfevents.*"))
        if not files:
            fail("`train_logged` wrote no event file into `log_dir`.",
                 "Create the writer on the folder you are given: SummaryWriter(log_dir).", failure="no-events")
        events = EventAccumulator(folder)
        events.Reload()
        tags = events.Tags().get("scalars", [])
        if not tags:
            fail("The event file is there, but it holds no scalars when `train_logged` returns: the flight recorder never "
                 "saved its tape.",
                 "SummaryWriter buffers events and writes them in the background. Call writer.close() (or "
                 "writer.flush()) before the function returns.",
                 misconceptions=["writer-saves-immediately"], failure="not-flushed")
        missing = [t for t in TAGS if t not in tags]
        if missing:
            fail(f"The log has the tags {sorted(tags)}; it should have {list(TAGS)}.",
                 "Tags are names TensorBoard groups by: spell them exactly.", failure="wrong-tags")
        for tag, want in zip(TAGS, (want_losses, want_accs)):
            scalars = events.Scalars(tag)
            steps = [e.step for e in scalars]
            if steps != list(range(STEPS)):
                fail(f"'{tag}' was logged at steps {steps[:6]}{' ...' if len(steps) > 6 else ''}; it should have one value "
                     f"at each step 0 to {STEPS - 1}.",
                     "Pass the step as the third argument: writer.add_scalar(tag, value, step).", failure="wrong-steps")
            got = [e.value for e in scalars]
            if not all(abs(a - b) <= 1e-4 * max(1.0, abs(b)) for a, b in zip(got, want)):
                first = next(i for i, (a, b) in enumerate(zip(got, want)) if abs(a - b) > 1e-4 * max(1.0, abs(b)))
                training = tag == "loss/train" and abs(got[0] - want[0]) <= 1e-4 * max(1.0, abs(want[0]))
                fail(f"'{tag}' at step {first} is {got[first]:.4f}; the run described in the exercise gives "
                     f"{want[first]:.4f} there.",
                     "Train exactly as described (SGD lr=0.1, nn.CrossEntropyLoss, batch i = rows 100*i to 100*(i+1)) "
                     "and log each step's own value." if not training else
                     "The first step matches, later ones drift: is the training itself as described?",
                     failure="wrong-training" if training else "wrong-values")
    return (f"The flight is on record: '{TAGS[0]}' and '{TAGS[1]}' at each of {STEPS} steps, the losses of a real run. "
            "Open a log folder with `tensorboard --logdir FOLDER`, then http://localhost:6006.")

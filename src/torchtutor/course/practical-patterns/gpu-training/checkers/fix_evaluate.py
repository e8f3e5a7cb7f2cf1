"""Checker for gpu-training/fix-evaluate.

A model with dropout is evaluated on the CPU and compared with the checker's own accuracy;
then the model is put on the meta device (the stand-in GPU) and every forward call is watched.
"""

import torch
import torch.nn as nn
from _stand_in import GPU, DeviceWatch, StandInGPU, is_device_mismatch
from torch.utils.data import DataLoader, TensorDataset

from torchtutor.checks import describe, fail
from torchtutor.checks.calls import run_keeping_locals


def _setup():
    g = torch.Generator().manual_seed(11)
    X = torch.randn(200, 6, generator=g)
    y = (X[:, 0] - X[:, 2] > 0).long()
    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(30):                                   # a little training, so accuracy means something
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        optimizer.step()
    loader = DataLoader(TensorDataset(X, y), batch_size=64)
    return X, y, model, loader


def check(ex):
    X, y, model, loader = _setup()
    model.eval()
    with torch.no_grad():
        want = (model(X).argmax(dim=1) == y).float().mean().item()
    model.train()
    got = ex.call("evaluate", model, loader, doing="Calling `evaluate(model, loader)` on the CPU")
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        fail(f"`evaluate` should return the accuracy as a float, but it returned {describe(got)}.",
             failure="wrong-type")
    if abs(float(got) - want) > 1e-6:
        fail(f"On the CPU `evaluate` returned {float(got):.4f}; the model classifies {want:.4f} of the samples "
             "correctly in eval mode.",
             "Keep what the function did: model.eval() (dropout off), no_grad, count the correct predictions, "
             "divide by the number of samples.", failure="wrong-value")

    model.to(GPU)
    watch = DeviceWatch(model)
    mode = StandInGPU()
    try:
        with mode:
            _, _, error = run_keeping_locals(ex.get("evaluate"), (model, loader))
    finally:
        watch.close()
    if error is None:
        return ("evaluate gives the right accuracy on the CPU and, with the model on the stand-in GPU, sends every "
                "batch to the model's device.")
    if not is_device_mismatch(error):
        ex.fail_on(error, "Calling `evaluate(model, loader)` with the model on the stand-in GPU")
    line = ex.where(error)
    cpu_inputs = [i for i, d in watch.inputs if d.type == "cpu"]
    if not watch.inputs:
        fail("With the model on the stand-in GPU, `evaluate` failed before the model saw any batch: something it "
             "made mixed devices.", *line, "Read the device from the model and move every batch there.",
             failure="inputs-not-moved")
    if cpu_inputs:
        if any(i in mode.sent for i in cpu_inputs):
            fail("With the model on the stand-in GPU, a batch reached it on the CPU although `.to()` had been "
                 "called on it: the moved copy was thrown away.", *line,
                 "A tensor's .to() returns a new tensor: inputs = inputs.to(device).",
                 misconceptions=["tensor-to-moves-in-place"], failure="inputs-not-moved")
        if any(mode.moved.get(i) == "cpu" for i in cpu_inputs):
            fail("With the model on the stand-in GPU, `evaluate` moved each batch to the CPU, a device it chose "
                 "itself, not the one the model is on.", *line,
                 "A device worked out from torch.cuda.is_available() (or a global) is not necessarily the model's. "
                 "Ask the model: device = next(model.parameters()).device.",
                 misconceptions=["devices-mix-automatically"], failure="ignores-model-device")
        fail("With the model on the stand-in GPU, the test batches reached it on the CPU, where the DataLoader "
             "hands them out.", *line,
             "The model knows where it is: device = next(model.parameters()).device; move each batch there.",
             misconceptions=["dataloader-follows-the-model"], failure="inputs-not-moved")
    fail("With the model on the stand-in GPU, the inputs reached the model there, but its predictions on the device "
         "were compared with labels still on the CPU.", *line,
         "Move the labels too, targets = targets.to(device), or bring the predictions home with .cpu() before "
         "comparing.", misconceptions=["dataloader-follows-the-model"], failure="targets-not-moved")

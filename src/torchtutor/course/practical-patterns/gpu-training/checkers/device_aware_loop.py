"""Checker for gpu-training/device-aware-loop.

First a real run on the CPU (does it learn?), then a run with the meta device standing in
for a GPU: the model starts on the CPU, the DataLoader yields CPU batches, and every forward
call is watched. The optimizer the learner built is read from train's local variables.
"""

import torch
import torch.nn as nn
from _stand_in import GPU, DeviceWatch, StandInGPU, is_device_mismatch, parameter_devices
from torch.utils.data import DataLoader, TensorDataset

from torchtutor.checks import describe, fail
from torchtutor.checks.calls import run_keeping_locals

EPOCHS = 3


def _data():
    g = torch.Generator().manual_seed(7)
    X = torch.randn(240, 10, generator=g)
    y = (X[:, 0] + X[:, 1] > 0).long()
    loader = DataLoader(TensorDataset(X, y), batch_size=40, shuffle=True, generator=g)
    return X, y, loader


def _model():
    torch.manual_seed(3)
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))


def _check_cpu(ex):
    X, y, loader = _data()
    model = _model()
    losses = ex.call("train", model, loader, torch.device("cpu"), EPOCHS, 0.01,
                     doing="Calling `train(model, loader, device='cpu')`")
    steps = EPOCHS * len(loader)
    if not isinstance(losses, (list, tuple)) or len(losses) != steps:
        fail(f"`train` should return one loss per batch, {steps} for {EPOCHS} epochs of {len(loader)} batches; "
             f"it returned {describe(losses)}.", failure="wrong-value")
    if not all(isinstance(v, float) for v in losses):
        fail("`train` should return the losses as Python floats (loss.item()).", failure="wrong-type")
    with torch.no_grad():
        accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
    if not losses[-1] < losses[0] or accuracy < 0.85:
        fail(f"On the CPU, `train` no longer learns: the loss went from {losses[0]:.3f} to {losses[-1]:.3f} and the "
             f"model classifies {accuracy:.0%} of its data correctly (it should be above 85%).",
             "Keep the loop's own lines as they were: zero_grad, forward, loss, backward, step.",
             failure="does-not-learn")


def _check_stand_in(ex):
    X, y, loader = _data()
    model = _model()
    watch = DeviceWatch(model)
    mode = StandInGPU()
    try:
        with mode:
            _, local, error = run_keeping_locals(ex.get("train"), (model, loader, GPU, 1, 0.01))
    finally:
        watch.close()
    params = parameter_devices(model)
    seen = watch.inputs
    cpu_inputs = [i for i, d in seen if d.type == "cpu"]
    if error is not None:
        if not is_device_mismatch(error):
            ex.fail_on(error, "Calling `train(model, loader, device)` with the stand-in GPU")
        line = ex.where(error)
        if params == {"cpu"} and not cpu_inputs:
            fail("On the stand-in GPU the batch reached the model on the device, but the model's parameters were "
                 "still on the CPU, and the forward pass mixed the two.",
                 *line,
                 "Move the model at the top of train, before the optimizer is built: model.to(device).",
                 misconceptions=["devices-mix-automatically"], failure="model-not-moved")
        if cpu_inputs:
            if any(i in mode.sent for i in cpu_inputs):
                fail("On the stand-in GPU the model received a batch still on the CPU, although `.to(device)` had "
                     "been called on it: the moved copy was thrown away.",
                     *line,
                     "A tensor's .to() returns a new tensor: inputs = inputs.to(device).",
                     misconceptions=["tensor-to-moves-in-place"], failure="to-not-assigned")
            fail("On the stand-in GPU the model's parameters were on the device, but the first batch reached it "
                 "still on the CPU, where the DataLoader hands every batch out.",
                 *line,
                 "Move each batch inside the loop: inputs = inputs.to(device).",
                 misconceptions=["dataloader-follows-the-model"], failure="inputs-not-moved")
        fail("On the stand-in GPU the model and the inputs were on the device, but the loss met the model's output "
             "there and the targets on the CPU.",
             *line,
             "Move the labels with the inputs: targets = targets.to(device).",
             misconceptions=["dataloader-follows-the-model"], failure="targets-not-moved")
    if params != {"meta"}:
        fail(f"With device = {GPU} (the stand-in GPU), `train` trained on the CPU: neither the model's parameters "
             "nor the batches went to the device.",
             "Three lines make the loop device-aware: model.to(device) before the optimizer is built, and "
             "inputs = inputs.to(device), targets = targets.to(device) for each batch.",
             misconceptions=["dataloader-follows-the-model"], failure="model-not-moved")
    first = next(model.parameters())
    optimizers = [v for v in local.values() if isinstance(v, torch.optim.Optimizer)]
    if optimizers and not any(any(p is first for g in o.param_groups for p in g["params"]) for o in optimizers):
        fail("On the stand-in GPU the optimizer holds the model's parameters from before the move, so it would "
             "update tensors the model no longer uses.",
             "PyTorch's documentation asks for the model to be moved before its optimizer is constructed. "
             "(Between CPU and CUDA the parameter objects happen to survive the move; on other devices, like this "
             "one, they do not.) Build the optimizer after model.to(device).",
             failure="optimizer-before-move")


def check(ex):
    _check_cpu(ex)
    _check_stand_in(ex)
    return ("On the CPU the loop learns; on the stand-in GPU the model, every batch and its labels were on the "
            "device, and the optimizer held the moved parameters.")

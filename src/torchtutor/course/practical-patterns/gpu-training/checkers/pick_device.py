"""Checker for gpu-training/pick-device.

pick_device is called under PyTorch as it is, then with torch.cuda.is_available replaced by
a probe that answers True (and then False) and records whether it was called or only tested
for truth. batch_to_device is given a CPU batch and the meta device, the stand-in GPU.
"""

import torch
from _stand_in import GPU, IsAvailableProbe, cuda_reports

from torchtutor.checks import describe, device_type, fail


def _check_pick_device(ex):
    real = ex.call("pick_device", doing="Calling `pick_device()`")
    if real is None:
        fail("`pick_device()` returned None: replace `return None` with your code.", failure="placeholder")
    if device_type(real) is None:
        fail(f"`pick_device()` should return a torch.device, but it returned {describe(real)}.", failure="wrong-type")
    for available in (True, False):
        probe = IsAvailableProbe(available)
        with cuda_reports(available, probe):
            got = ex.call("pick_device", doing=f"Calling `pick_device()` while PyTorch reports "
                                               f"{'a GPU' if available else 'no GPU'}")
        want = "cuda" if available else "cpu"
        if device_type(got) == want:
            continue
        if probe.truth_tested and not probe.called:
            fail(f"`pick_device()` returned {got!r} while torch.cuda.is_available() answered {available}: it tested "
                 "torch.cuda.is_available without calling it.",
                 "Without the parentheses the condition is the function object itself, and every function is true, "
                 "so the script picks cuda on every machine and crashes where there is no GPU.",
                 "Call it: torch.cuda.is_available().",
                 misconceptions=["is-available-is-a-flag"], failure="is-available-no-call")
        fail(f"`pick_device()` returned {got!r} while PyTorch reported {'a GPU' if available else 'no GPU'}; it "
             f"should return {want!r}.",
             "Ask PyTorch each time the function runs: torch.device('cuda' if torch.cuda.is_available() else 'cpu'). "
             "A device written into the code runs on only one kind of machine.",
             failure="hard-coded-device")
    if isinstance(real, str):
        ex.notes.append("pick_device returns a string; torch.device(...) gives a device object, which every "
                        "PyTorch call accepts too and which prints as device(type='cuda').")


def _check_batch_to_device(ex):
    inputs = torch.arange(12.0).reshape(4, 3)
    labels = torch.tensor([0, 1, 1, 0])
    out = ex.call("batch_to_device", inputs.clone(), labels.clone(), torch.device("cpu"),
                  doing="Calling `batch_to_device(inputs, labels, torch.device('cpu'))`")
    if out is None:
        fail("`batch_to_device(...)` returned None: replace `return None` with your code.", failure="placeholder")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        fail(f"`batch_to_device(...)` should return the pair (inputs, labels), but it returned {describe(out)}.",
             failure="wrong-type")
    x, y = out
    if not (isinstance(x, torch.Tensor) and torch.equal(x, inputs)) or not (
            isinstance(y, torch.Tensor) and torch.equal(y, labels)):
        fail("`batch_to_device(...)` should return the same inputs and labels it was given (moved, not changed); "
             f"it returned {describe(x)} and {describe(y)}.", failure="wrong-values")

    sent_x, sent_y = inputs.clone(), labels.clone()
    x, y = ex.call("batch_to_device", sent_x, sent_y, GPU,
                   doing="Calling `batch_to_device(inputs, labels, device)` with the stand-in GPU")
    if isinstance(x, torch.Tensor) and x.device.type != "meta":
        fail(f"With device = {GPU} (the stand-in GPU), the inputs you returned are still on {x.device}.",
             "A tensor's .to(device) returns a moved copy and leaves the original where it was; the copy has to be "
             "kept: inputs = inputs.to(device).",
             misconceptions=["tensor-to-moves-in-place"], failure="to-not-assigned")
    if isinstance(y, torch.Tensor) and y.device.type != "meta":
        fail(f"With device = {GPU} (the stand-in GPU), the inputs arrived but the labels are still on {y.device}.",
             "The labels meet the model's output in the loss, so they travel too: labels = labels.to(device).",
             misconceptions=["tensor-to-moves-in-place"], failure="labels-left-behind")


def check(ex):
    _check_pick_device(ex)
    _check_batch_to_device(ex)
    return ("pick_device follows torch.cuda.is_available() on every machine, and batch_to_device returns the batch "
            "moved, inputs and labels.")

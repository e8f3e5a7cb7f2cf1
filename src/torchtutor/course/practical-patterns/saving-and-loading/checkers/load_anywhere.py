"""Checker for saving-and-loading/load-anywhere: a checkpoint that records cuda:3 must load on this machine, onto the
device the function is given."""

import tempfile
from pathlib import Path

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail, known

ERRORS = [known("no-map-location", "model-elsewhere")]


def _call_loader(ex, path, device):
    return ex.call("load_for_inference", path, device, errors=ERRORS,
                   doing=f"Calling `load_for_inference(path, {device.type!r})`")


def check(ex):
    write = ex.get("write_server_checkpoint")
    with tempfile.TemporaryDirectory(prefix="torchtutor-check-") as folder:
        path = Path(folder) / "server.pt"
        write(path, seed=5)
        expected = torch.load(path, map_location="cpu", weights_only=True)["model"]

        model = _call_loader(ex, path, torch.device("cpu"))
        if not isinstance(model, nn.Module):
            fail(f"`load_for_inference` should return the model, but it returned {describe(model)}.",
                 failure="wrong-type")
        if isinstance(model, nn.Module) and model.training:
            fail("The model came back in training mode; for predictions it should be in eval mode.",
                 "Return model.eval().", failure="not-eval")
        state = model.state_dict()
        if set(state) != set(expected) or not all(torch.equal(state[k].cpu(), v) for k, v in expected.items()):
            fail("The model `load_for_inference` returned does not hold the checkpoint's weights.",
                 "The weights are under checkpoint['model']: model.load_state_dict(checkpoint['model']).",
                 failure="loaded-whole-dict")

        meta = _call_loader(ex, path, torch.device("meta"))
        devices = {p.device.type for p in meta.parameters()}
        if devices != {"meta"}:
            fail(f"Asked for the device 'meta', `load_for_inference` returned a model on {', '.join(sorted(devices))}.",
                 "Use the `device` argument, for torch.load's map_location and for the model: "
                 "make_model().to(device).", failure="model-elsewhere")
    return ("The server's cuda:3 checkpoint now loads on this machine, and onto any device you name: map_location "
            "gives the tensors a new home before load_state_dict copies them into the model's own.")

"""Checker for saving-and-loading/match-architecture: the learner's ColleagueNet must take the colleague's file strictly
and compute the colleague's predictions."""

import tempfile
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from torchtutor.checks import describe, fail


def _colleague_forward(state: dict, x: torch.Tensor) -> torch.Tensor:
    """The colleague's network, written out from the note: eval mode, ReLU after every hidden layer."""
    h = F.relu(F.linear(x, state["encoder.0.weight"], state["encoder.0.bias"]))
    h = F.linear(h, state["encoder.2.weight"], state["encoder.2.bias"])
    h = F.batch_norm(h, state["encoder.3.running_mean"], state["encoder.3.running_var"],
                     state["encoder.3.weight"], state["encoder.3.bias"], training=False)
    return F.linear(F.relu(h), state["head.weight"], state["head.bias"])


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def check(ex):
    write = ex.get("write_colleague_file")
    net_class = ex.get("ColleagueNet")
    if not (isinstance(net_class, type) and issubclass(net_class, nn.Module)):
        fail(f"`ColleagueNet` should be an nn.Module class, but it is {describe(net_class)}.", failure="wrong-type")
    with tempfile.TemporaryDirectory(prefix="torchtutor-check-") as folder:
        path = Path(folder) / "colleague.pt"
        write(path, seed=11)
        state = torch.load(path, weights_only=True)
    model = ex.call("ColleagueNet")
    mine = model.state_dict()
    missing = [k for k in state if k not in mine]
    unexpected = [k for k in mine if k not in state]
    if missing or unexpected:
        lines = []
        if missing:
            lines.append(f"In the file but not in your model: {_some(missing)}.")
        if unexpected:
            lines.append(f"In your model but not in the file: {_some(unexpected)}.")
        fail("Your ColleagueNet's names do not match the file's, so load_state_dict refuses it.", *lines,
             "The names are attribute paths: `encoder.0.weight` is the weight of the layer at index 0 of a "
             "Sequential stored as self.encoder. Architecture in code, values in file: the code must use the "
             "file's names.", misconceptions=["file-contains-architecture"],
             failure="missing-keys" if missing else "unexpected-keys")
    wrong_shapes = [(k, tuple(mine[k].shape), tuple(v.shape)) for k, v in state.items() if mine[k].shape != v.shape]
    if wrong_shapes:
        name, got, want = wrong_shapes[0]
        fail(f"The names match, but the sizes do not: `{name}` is {got} in your model and {want} in the file.",
             "nn.Linear(in_features, out_features) stores its weight as [out, in]. Read each layer's sizes from its "
             "weight's shape.", failure="size-mismatch")
    report = model.load_state_dict(state)          # strict: every key, every shape
    model.eval()
    x = torch.randn(64, 20, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        got = model(x)
    want = _colleague_forward(state, x)
    if not isinstance(got, torch.Tensor) or got.shape != want.shape:
        fail(f"ColleagueNet()(x) for x of shape [64, 20] should give [64, 3] class scores, but it gave {describe(got)}.",
             failure="wrong-predictions")
    if not torch.allclose(got, want, atol=1e-5):
        no_last_relu = F.linear(F.batch_norm(F.linear(F.relu(F.linear(x, state["encoder.0.weight"],
                                                                           state["encoder.0.bias"])),
                                                        state["encoder.2.weight"], state["encoder.2.bias"]),
                                               state["encoder.3.running_mean"], state["encoder.3.running_var"],
                                               state["encoder.3.weight"], state["encoder.3.bias"], training=False),
                                 state["head.weight"], state["head.bias"])
        if torch.allclose(got, no_last_relu, atol=1e-5):
            fail("The weights load, but the predictions differ from the colleague's: the ReLU after the second hidden "
                 "layer (after its batch norm) is missing.",
                 "ReLU has no parameters, so the file cannot show it; the note says there is one after every hidden "
                 "layer. Put it at encoder.4 or in forward.", failure="wrong-predictions")
        fail("The weights load, but your model's predictions differ from the colleague's network.",
             "The file fixes names and shapes; the forward pass comes from the note: ReLU after every hidden layer "
             "(the gap at encoder.1 is one), raw scores at the end.", failure="wrong-predictions")
    return (f"Your ColleagueNet takes the file strictly ({report}) and reproduces the colleague's predictions: "
            "names and shapes from the file, the rest from the code.")

"""Checker for nn-module/freeze-and-share."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, expect_tensor, fail

import _nn_checks as nnc  # this lesson's shared probes (checkers/_nn_checks.py)


def _check_freezing(ex):
    fn = ex.get("freeze_first_layer")
    if not callable(fn):
        fail("`freeze_first_layer` should be a function: def freeze_first_layer(model): ...", failure="not-callable")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    nnc.call(ex, "Calling `freeze_first_layer(model)`", fn, model)
    first, last = model[0], model[2]
    flags = {name: p.requires_grad for name, p in model.named_parameters()}
    if all(flags.values()):
        if "requires_grad" in vars(first) or "requires_grad" in vars(model):
            fail("freeze_first_layer sets `requires_grad = False` on the module, which freezes nothing: every "
                 "parameter still records.",
                 "Assigning to a module only adds a plain Python attribute to the module object. The flag that "
                 "matters lives on each parameter. Call the method model[0].requires_grad_(False), which sets it on "
                 "every parameter inside, or set p.requires_grad = False for each p in model[0].parameters().",
                 misconceptions=["module-requires-grad-attribute"], failure="module-requires-grad-attribute")
        fail("freeze_first_layer changed nothing: every parameter of the model still records (requires_grad=True).",
             "Switch off requires_grad on model[0]'s parameters: model[0].requires_grad_(False). A torch.no_grad() "
             "block or .detach() inside the function does not outlast the function.",
             failure="placeholder")
    if not flags["0.weight"] or not flags["0.bias"]:
        if flags["0.weight"] != flags["0.bias"]:
            kept = "0.bias" if flags["0.bias"] else "0.weight"
            fail(f"freeze_first_layer freezes only half of the first layer: {kept} still records and would keep "
                 "learning.", "Freeze the whole layer, weight and bias: model[0].requires_grad_(False).",
                 failure="froze-weight-only")
    else:
        fail("freeze_first_layer freezes some other part of the model, but the first layer model[0] still records.",
             "Freeze model[0]: model[0].requires_grad_(False).", failure="froze-too-much")
    if not (flags["2.weight"] and flags["2.bias"]):
        fail("freeze_first_layer also freezes the last layer, model[2]: then nothing in the model could learn.",
             "Freeze only model[0]; a model with every parameter frozen is a classic silent failure, since training "
             "runs but nothing changes.", failure="froze-too-much")
    x = torch.randn(5, 3)
    model(x).sum().backward()
    if first.weight.grad is not None or first.bias.grad is not None:
        fail("After backward(), the frozen first layer still received a gradient.",
             "Freeze by switching off requires_grad on model[0]'s parameters.", failure="froze-too-much")
    if last.weight.grad is None:
        fail("After backward(), the last layer received no gradient, so it could not learn.", failure="froze-too-much")


def _check_sharing(ex):
    model = nnc.instantiate(ex, "TiedNet", 3, starter="TiedNet is still the starter: its __init__ creates no layer.")
    x = torch.randn(6, 3) * 2
    layers = nnc.linears(model)
    if not layers:
        with torch.no_grad():
            out = nnc.call_model(ex, model, x, "TiedNet(3)(x)")
        if out is None:
            fail("TiedNet is still the starter: create self.shared = nn.Linear(features, features) in __init__ and "
                 "use it twice in forward.", failure="placeholder")
    if len(layers) >= 2:
        fail(f"TiedNet(3) holds {len(layers)} separate nn.Linear layers, each with its own weights "
             f"({sum(p.numel() for p in model.parameters())} numbers): nothing is shared.",
             "Tied means ONE layer object used twice. Create a single self.shared = nn.Linear(features, features) "
             "in __init__ and call self.shared twice in forward.",
             misconceptions=["shared-layer-copies-weights"], failure="shared-layer-copies-weights")
    nnc.expect_registered(ex, model, x, "TiedNet(3)", 12, "self.shared = nn.Linear(features, features)")
    shared = getattr(model, "shared", None)
    if not isinstance(shared, nn.Linear):
        fail("TiedNet has no nn.Linear called `self.shared`.", "The checker reads the layer by that name.",
             failure="missing-layer")
    W, b = shared.weight.detach(), shared.bias.detach()
    out = nnc.call_model(ex, model, x, "TiedNet(3)(x)")
    h = x @ W.T + b
    expect_tensor(out, torch.relu(h) @ W.T + b, name="TiedNet(3)(x)", wrong=[
        Wrong("TiedNet uses self.shared only once; it should apply it, then ReLU, then the same layer again.",
              value=h, failure="shared-once"),
        Wrong("TiedNet applies self.shared twice with no ReLU in between.", value=h @ W.T + b,
              misconceptions=["stacking-linears-adds-power"], failure="stacking-linears-adds-power"),
    ])
    # The gradient of a shared weight is the sum of the shares from both uses.
    W1, b1 = W.clone().requires_grad_(True), b.clone().requires_grad_(True)
    W2, b2 = W.clone().requires_grad_(True), b.clone().requires_grad_(True)
    (torch.relu(x @ W1.T + b1) @ W2.T + b2).sum().backward()
    model.zero_grad()
    out.sum().backward()
    expect_tensor(shared.weight.grad, W1.grad + W2.grad, name="TiedNet's shared.weight.grad", atol=1e-5)
    return float((W1.grad).norm()), float((W2.grad).norm())


def check(ex):
    _check_freezing(ex)
    inner, outer = _check_sharing(ex)
    return ("model[0] is frozen (no gradient, still in the forward pass) while model[2] learns; TiedNet holds one "
            "set of 12 numbers, and its weight gradient is the sum of the shares from its two uses "
            f"(shares of size {inner:.2f} and {outer:.2f}).")

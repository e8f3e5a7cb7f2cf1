"""Checker for nn-module/two-layer-module."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, describe, expect_close, expect_tensor, fail, known

import _nn_checks as nnc  # this lesson's shared probes (checkers/_nn_checks.py)


LAYOUT = "self.hidden = nn.Linear(n_in, n_hidden) and self.output = nn.Linear(n_hidden, n_out)"
SHARED = {("hidden", "weight"): ("w1", 0.5), ("hidden", "bias"): ("b1", 0.1),
          ("output", "weight"): ("w2", -0.3), ("output", "bias"): ("b2", 0.2)}


def _layer(ex, model, name, n_in, n_out, what):
    layer = getattr(model, name, None)
    if not isinstance(layer, nn.Linear):
        names = ", ".join(f"self.{n}" for n, _ in model.named_children()) or "none"
        fail(f"{what} has no nn.Linear called `self.{name}` (its layers: {names}).",
             f"The checker reads the layers by name: {LAYOUT}.", failure="missing-layer")
    if (layer.in_features, layer.out_features) != (n_in, n_out):
        fail(f"In {what}, self.{name} is nn.Linear({layer.in_features}, {layer.out_features}), "
             f"but it should be nn.Linear({n_in}, {n_out}).",
             "nn.Linear(in_features, out_features): inputs first, then outputs. "
             f"The layers are {LAYOUT}.", failure="wrong-layer")
    return layer


def check(ex):

    # Part 1: the class
    model = nnc.instantiate(ex, "TwoLayerNet", 3, 5, 2,
                            starter="TwoLayerNet is still the starter: its __init__ does nothing yet.")
    torch.manual_seed(0)
    x = torch.randn(6, 3) * 2
    what = "TwoLayerNet(3, 5, 2)"
    if not list(model.parameters()) and not list(model.children()):
        with torch.no_grad():
            out = nnc.call_model(ex, model, x, what + "(x)")
        if out is None:
            fail("TwoLayerNet is still the starter: __init__ creates no layers and forward returns None.",
                 "Start __init__ with super().__init__(), then create the two layers: " + LAYOUT + ".",
                 failure="placeholder")
    if list(model.parameters()):   # layers made in __init__: check their names and sizes before calling
        _layer(ex, model, "hidden", 3, 5, what)
        _layer(ex, model, "output", 5, 2, what)
    nnc.expect_registered(ex, model, x, what, 3 * 5 + 5 + 5 * 2 + 2, LAYOUT)
    hidden = _layer(ex, model, "hidden", 3, 5, what)
    output = _layer(ex, model, "output", 5, 2, what)

    with torch.no_grad():
        out = nnc.call_model(ex, model, x, what + "(x)")
        if out is None:
            fail("forward returns None: it must return the output layer's result.", failure="placeholder")
        expect_tensor(out, None, name=f"{what}(x) for x of shape (6, 3)", shape=(6, 2))
        if nnc.is_affine(model, 3):
            summary, why, fix = nnc.no_activation_message("TwoLayerNet.forward")
            fail(summary, why, fix, misconceptions=["stacking-linears-adds-power"],
                 failure="stacking-linears-adds-power")
        z = hidden(x)
        expected = output(torch.relu(z))
        expect_tensor(out, expected, name=f"{what}(x)", wrong=[
            Wrong("forward also applies ReLU to the output layer. The shared network's output is a plain linear "
                  "layer: its prediction, -0.13, is negative, and a final ReLU would clip it to 0.",
                  value=torch.relu(expected), failure="relu-on-output"),
            Wrong("forward uses a sigmoid between the layers; the shared network uses ReLU (torch.relu).",
                  value=output(torch.sigmoid(z)), failure="wrong-activation"),
            Wrong("forward uses tanh between the layers; the shared network uses ReLU (torch.relu).",
                  value=output(torch.tanh(z)), failure="wrong-activation"),
        ])

    # Part 2: the shared network
    make = ex.get("make_shared_network")
    if not callable(make):
        fail("`make_shared_network` should be a function.", failure="not-callable")
    net = nnc.call(ex, "Calling `make_shared_network()`", make, errors=[
        known("edit-while-recording", "assigned-plain-tensor"), nnc.missing_super("Creating TwoLayerNet(1, 1, 1)")])
    if not isinstance(net, nn.Module):
        fail(f"make_shared_network() should return the model, but it returns {describe(net)}.",
             "End the function with `return model`.", failure="placeholder")
    for layer_name in ("hidden", "output"):
        _layer(ex, net, layer_name, 1, 1, "make_shared_network()'s model")
    set_any = False
    for (layer_name, p_name), (symbol, value) in SHARED.items():
        p = getattr(getattr(net, layer_name), p_name)
        where = f"{layer_name}.{p_name} ({symbol})"
        want_shape = (1, 1) if p_name == "weight" else (1,)
        if tuple(p.shape) != want_shape:
            fail(f"{where} has shape {tuple(p.shape)}, but an nn.Linear(1, 1) {p_name} has shape {want_shape}.",
                 "Change the values of the existing parameter in place (fill_ or copy_) instead of replacing it "
                 "with a tensor of another shape.", failure="wrong-shape")
        if abs(float(p.detach().reshape(-1)[0]) - value) < 1e-6:
            set_any = True
    if not set_any:
        fail("make_shared_network() returns a TwoLayerNet with its random starting weights: none of w1, b1, w2, "
             "b2 has been set.",
             "Inside `with torch.no_grad():` set model.hidden.weight to 0.5, model.hidden.bias to 0.1, "
             "model.output.weight to -0.3 and model.output.bias to 0.2, e.g. with .fill_(...).",
             failure="placeholder")
    for (layer_name, p_name), (symbol, value) in SHARED.items():
        p = getattr(getattr(net, layer_name), p_name)
        expect_close(p, value, name=f"{layer_name}.{p_name} ({symbol})", atol=1e-6)
    for name, p in net.named_parameters():
        if not p.requires_grad:
            fail(f"In make_shared_network()'s model, {name} no longer records (requires_grad is False).",
                 "The values are right, but a parameter that does not record gets no gradient and can never learn. "
                 "Change the values in place inside torch.no_grad() and keep the original parameters.",
                 failure="requires-grad")
    y_hat = nnc.call_model(ex, net, torch.tensor([[2.0]]), "make_shared_network()(x)")
    expect_close(y_hat, -0.13, name="the shared network's prediction for x = 2.0", atol=1e-5)
    return ("TwoLayerNet registers 32 numbers for (3, 5, 2) and puts a ReLU between its layers; the shared "
            "network predicts -0.13 for x = 2.0, exactly as by hand.")

"""Checker for nn-module/buffers."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, expect_tensor, fail

import _nn_checks as nnc  # this lesson's shared probes (checkers/_nn_checks.py)


def check(ex):
    mean, std = torch.tensor([10.0, -2.0, 0.5]), torch.tensor([2.0, 0.5, 4.0])
    model = nnc.instantiate(ex, "Standardize", mean.clone(), std.clone(),
                            starter="Standardize is still the starter: its __init__ does nothing yet.",
                            label="Standardize(mean, std)")
    x = torch.tensor([[12.0, -2.5, 4.5], [8.0, -1.0, -3.5]])
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    if not params and not buffers:
        plain = [k for k, v in vars(model).items() if isinstance(v, torch.Tensor)]
        if plain:
            fail(f"Standardize keeps {', '.join('self.' + k for k in plain)} as plain tensor attributes, so the module "
                 "does not know they are part of its state.",
                 "A plain attribute is left behind by .double() and .to(device) and is missing from state_dict(), so "
                 "a saved model would lose it. Register it: self.register_buffer(\"mean\", mean).",
                 misconceptions=["tensor-attribute-is-state"], failure="tensor-attribute-is-state")
        with torch.no_grad():
            out = nnc.call_model(ex, model, x, "Standardize(mean, std)(x)")
        if out is None:
            fail("Standardize is still the starter: register mean and std as buffers in __init__, and standardise x "
                 "in forward.", failure="placeholder")
    if params:
        fail(f"Standardize has learnable parameters ({', '.join(params)}): an optimizer would change the statistics "
             "during training.",
             "Wrapping a tensor in nn.Parameter makes it learnable. Fixed statistics are buffers: "
             "self.register_buffer(\"mean\", mean).", failure="buffer-as-parameter")
    missing = [n for n in ("mean", "std") if n not in buffers]
    if missing:
        plain = [n for n in missing if isinstance(vars(model).get(n), torch.Tensor)]
        if plain:
            fail(f"{' and '.join('self.' + n for n in plain)} is a plain tensor attribute, not a buffer.",
                 "The module does not track plain attributes: .double() and .to(device) leave them behind and "
                 "state_dict() leaves them out. Use self.register_buffer(\"mean\", mean) (and the same for std).",
                 misconceptions=["tensor-attribute-is-state"], failure="tensor-attribute-is-state")
        fail(f"Standardize has no buffer called {' or '.join(repr(n) for n in missing)} (its buffers: "
             f"{sorted(buffers) or 'none'}).",
             "Register them under exactly these names: self.register_buffer(\"mean\", mean) and "
             "self.register_buffer(\"std\", std).", failure="missing-buffer")
    expect_tensor(buffers["mean"], mean, name="the `mean` buffer")
    expect_tensor(buffers["std"], std, name="the `std` buffer")
    keys = set(model.state_dict())
    if not {"mean", "std"} <= keys:
        lost = " and ".join(n for n in ("mean", "std") if n not in keys)
        fail(f"state_dict() holds {sorted(keys)}, without {lost}: registered with persistent=False, a buffer is "
             "left out of the saved state.",
             "Leave persistent at its default (True), so that saving the model saves its statistics.",
             failure="buffer-not-saved")

    out = nnc.call_model(ex, model, x, "Standardize(mean, std)(x)")
    expected = (x - mean) / std
    expect_tensor(out, expected, name="Standardize(mean, std)(x)", wrong=[
        Wrong("forward divides before it subtracts: it computes x - mean / std. Python's precedence needs "
              "parentheses: (x - self.mean) / self.std.", value=x - mean / std, failure="wrong-values"),
        Wrong("forward multiplies by std instead of dividing: standardising divides by the spread.",
              value=(x - mean) * std, failure="wrong-values"),
        Wrong("forward undoes a standardisation (x * std + mean) instead of applying one: (x - mean) / std.",
              value=x * std + mean, failure="wrong-values"),
    ])
    model.double()
    if buffers["mean"].dtype != torch.float64 and model.mean.dtype != torch.float64:
        fail("After model.double() the mean buffer is still float32: it did not travel with the model.",
             "Register it with register_buffer, so conversions and .to(device) apply to it.",
             misconceptions=["tensor-attribute-is-state"], failure="tensor-attribute-is-state")
    return ("mean and std are buffers: in state_dict(), converted with the model by .double(), and absent from "
            "parameters(), so no optimizer will ever touch them.")

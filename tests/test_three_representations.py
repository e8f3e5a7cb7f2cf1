"""Three representations of the same network give the same four gradients.

The shared network of the course (autograd lesson, nn-module lesson, AutogradExplorer):
    h = relu(w1 * x + b1);  y_hat = w2 * h + b2;  loss = (y_hat - y) ** 2
with x = 2.0, y = 1.0, w1 = 0.5, b1 = 0.1, w2 = -0.3, b2 = 0.2.

Its gradients are computed three ways, independently: the chain rule by hand in plain
Python floats, raw tensors with autograd, and an nn.Module of two nn.Linear(1, 1) layers.
All three must agree, with each other, with the numbers the lessons print, and with the
AutogradExplorer widget's manual mode.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn as nn

SHARED = {"x": 2.0, "y": 1.0, "w1": 0.5, "b1": 0.1, "w2": -0.3, "b2": 0.2}
PARAMS = ("w1", "b1", "w2", "b2")

# The same network at other settings, including one where ReLU blocks the hidden layer.
SETTINGS = [
    SHARED,
    {"x": -1.5, "y": 0.3, "w1": 0.8, "b1": 0.4, "w2": 1.7, "b2": -0.6},
    {"x": 2.0, "y": 1.0, "w1": -0.5, "b1": 0.1, "w2": -0.3, "b2": 0.2},   # w1*x + b1 < 0: ReLU blocks
    {"x": 3.0, "y": -2.0, "w1": 1.2, "b1": -0.7, "w2": 0.9, "b2": 1.1},
]


def by_hand(x, y, w1, b1, w2, b2) -> dict[str, float]:
    """The chain rule, one local derivative at a time, in plain floats."""
    z = w1 * x + b1
    h = z if z > 0 else 0.0
    y_hat = w2 * h + b2
    d_y_hat = 2.0 * (y_hat - y)          # d loss / d y_hat
    d_h = d_y_hat * w2                   # d y_hat / d h = w2
    d_z = d_h * (1.0 if z > 0 else 0.0)  # relu'(z)
    return {"w1": d_z * x, "b1": d_z, "w2": d_y_hat * h, "b2": d_y_hat}


def raw_tensors(x, y, w1, b1, w2, b2) -> dict[str, float]:
    """Four leaf tensors that record, one backward()."""
    t = {name: torch.tensor(value, requires_grad=True) for name, value in
         (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2))}
    h = torch.relu(t["w1"] * torch.tensor(x) + t["b1"])
    loss = (t["w2"] * h + t["b2"] - torch.tensor(y)) ** 2
    loss.backward()
    return {name: tensor.grad.item() for name, tensor in t.items()}


class SharedNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(1, 1)
        self.output = nn.Linear(1, 1)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


def as_module(x, y, w1, b1, w2, b2) -> dict[str, float]:
    """Two nn.Linear(1, 1) with ReLU between, weights set under no_grad()."""
    model = SharedNet()
    with torch.no_grad():
        model.hidden.weight.fill_(w1)
        model.hidden.bias.fill_(b1)
        model.output.weight.fill_(w2)
        model.output.bias.fill_(b2)
    model.zero_grad()
    loss = ((model(torch.tensor([[x]])) - y) ** 2).mean()
    loss.backward()
    return {"w1": model.hidden.weight.grad.item(), "b1": model.hidden.bias.grad.item(),
            "w2": model.output.weight.grad.item(), "b2": model.output.bias.grad.item()}


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-5)   # float32 tensors against float64 floats


def test_the_shared_network_has_the_lesson_numbers() -> None:
    hand = by_hand(**SHARED)
    expected = {"w1": 1.356, "b1": 0.678, "w2": -2.486, "b2": -2.26}
    assert all(math.isclose(hand[p], expected[p], abs_tol=1e-9) for p in PARAMS), hand


@pytest.mark.parametrize("setting", SETTINGS, ids=[f"setting{i}" for i in range(len(SETTINGS))])
def test_three_representations_agree(setting) -> None:
    hand, raw, module = by_hand(**setting), raw_tensors(**setting), as_module(**setting)
    for p in PARAMS:
        assert _close(hand[p], raw[p]), (p, hand[p], raw[p])
        assert _close(hand[p], module[p]), (p, hand[p], module[p])


def test_relu_block_stops_the_hidden_gradients_in_every_representation() -> None:
    blocked = SETTINGS[2]
    for grads in (by_hand(**blocked), raw_tensors(**blocked), as_module(**blocked)):
        assert grads["w1"] == 0.0 and grads["b1"] == 0.0
        assert grads["w2"] == 0.0 and grads["b2"] != 0.0     # h = 0, so w2 gets nothing either


@pytest.mark.parametrize("setting", SETTINGS, ids=[f"setting{i}" for i in range(len(SETTINGS))])
def test_autograd_explorer_manual_mode_gives_the_same_numbers(setting) -> None:
    widgets = pytest.importorskip("torchtutor.widgets")
    result = widgets.autograd_explorer(mode="manual", **setting)
    hand, module = by_hand(**setting), as_module(**setting)
    for p in PARAMS:
        assert math.isclose(result["manual"][p], hand[p], rel_tol=1e-9, abs_tol=1e-12), p
        assert _close(result["manual"][p], module[p]), p
    assert result["all_match"]
    for step in result["steps"]:     # every backward step reads incoming x local = outgoing
        assert math.isclose(step["incoming"] * step["local"], step["outgoing"], abs_tol=1e-12)

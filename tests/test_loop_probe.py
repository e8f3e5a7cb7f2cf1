"""diagnose.loop_probe: the evidence of a training loop, and the mistake it names."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from torchtutor.diagnose.loop_probe import LoopProbe, TooManySteps, loop_mistake


def data():
    X = torch.linspace(-1, 1, 8).reshape(-1, 1)
    return X, 2 * X + 1


def run(body, model=None, steps=5, **probe_kw):
    torch.manual_seed(0)
    model = model or nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    X, y = data()
    with LoopProbe(model, **probe_kw) as probe:
        for _ in range(steps):
            body(model, optimizer, X, y)
    return probe


def good(model, opt, X, y):
    opt.zero_grad()
    nn.functional.mse_loss(model(X), y).backward()
    opt.step()


def no_zero_grad(model, opt, X, y):
    nn.functional.mse_loss(model(X), y).backward()
    opt.step()


def zero_between(model, opt, X, y):
    nn.functional.mse_loss(model(X), y).backward()
    opt.zero_grad()
    opt.step()


def step_first(model, opt, X, y):
    opt.zero_grad()
    opt.step()
    nn.functional.mse_loss(model(X), y).backward()


def test_a_correct_loop_shows_no_mistake():
    probe = run(good)
    assert loop_mistake(probe) is None
    assert (probe.forward_calls, probe.backward_calls, len(probe.steps), probe.zero_grad_calls) == (5, 5, 5, 5)


def test_piled_up_gradients_are_missing_zero_grad_with_their_numbers():
    m = loop_mistake(run(no_zero_grad))
    assert m.id == "missing-zero-grad" and m.step == 1
    assert m.evidence["zero_grad_calls"] == 0 and m.evidence["worst_used"] > m.evidence["worst_fresh"]


def test_gradients_cleared_between_backward_and_step_are_told_apart_from_a_step_before_backward():
    cleared = loop_mistake(run(zero_between))
    assert (cleared.id, cleared.evidence["variant"]) == ("step-before-backward", "cleared")
    early = loop_mistake(run(step_first))
    assert (early.id, early.evidence["variant"]) == ("step-before-backward", "before-backward")


def test_a_gradient_that_is_zero_straight_after_backward_is_not_called_cleared():
    model = nn.Sequential(nn.Linear(1, 4), nn.ReLU(), nn.Linear(4, 1), nn.Softmax(dim=1))  # always 1.0
    m = loop_mistake(run(good, model=model))
    assert m.id == "zero-gradient" and m.step == 0


def test_backward_without_step_and_step_without_backward():
    def only_backward(model, opt, X, y):
        nn.functional.mse_loss(model(X), y).backward()

    def only_step(model, opt, X, y):
        opt.step()

    assert loop_mistake(run(only_backward)).id == "missing-optimizer-step"
    assert loop_mistake(run(only_step)).id == "missing-backward"


def test_forward_called_directly_and_a_reused_graph_are_seen():
    def direct(model, opt, X, y):
        opt.zero_grad()
        nn.functional.mse_loss(model.forward(X), y).backward()
        opt.step()

    assert loop_mistake(run(direct)).id == "forward-called-directly"

    model = nn.Linear(1, 1)
    X, y = data()
    with LoopProbe(model) as probe:
        y_hat = model(X)
        nn.functional.mse_loss(y_hat, y).backward(retain_graph=True)
        nn.functional.mse_loss(y_hat, y).backward()
    assert probe.graph_reused()


def test_a_non_scalar_backward_leaves_its_shape_for_the_catalogue():
    model = nn.Linear(1, 1)
    X, y = data()
    with LoopProbe(model) as probe, pytest.raises(RuntimeError):
        ((model(X) - y) ** 2).backward()
    assert probe.crash_context() == {"backward_shape": [8, 1]}


def test_the_step_budget_stops_a_runaway_loop():
    with pytest.raises(TooManySteps):
        run(good, steps=50, max_steps=10)

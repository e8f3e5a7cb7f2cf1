"""training-loop: realistic wrong answers get a verdict that names the mistake.

Each case starts from the reference solution, makes one slip a learner would make,
runs it through the harness with the real checker, and checks the failure tag, the
misconception (where there is one) and words in the summary. The loop mistakes are
detected from runtime evidence (the checkers' loop probe), not from the source text.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.optim.optimizer as optimizer_module

from torchtutor.checks.harness import run_exercise
from torchtutor.curriculum import load_or_raise

LESSON = Path(__file__).resolve().parents[2] / "src" / "torchtutor" / "course" / "pytorch-core" / "training-loop"

ZERO_GRAD = "        optimizer.zero_grad()          # clear\n"
LOOP_BODY = """        optimizer.zero_grad()          # clear
        y_hat = model(X)               # forward: a fresh graph every iteration
        loss = loss_fn(y_hat, y)       # one number for "how wrong"
        loss.backward()                # compute
        optimizer.step()               # use
"""


def slip(stem: str, *pairs: str) -> str:
    source = (LESSON / "solutions" / f"{stem}.py").read_text(encoding="utf-8")
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert old in source, f"{stem}: the solution no longer contains {old!r}"
        source = source.replace(old, new)
    return source


def verdict(stem: str, source: str, tmp_path: Path):
    path = tmp_path / f"{stem}.py"
    path.write_text(source, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # PyTorch's own broadcast warnings, on purpose in some cases
        return run_exercise(f"training-loop/{stem.replace('_', '-')}", str(path), str(LESSON / "checkers" / f"{stem}.py"))


# (stem, replacements, failure tag, misconception or None, words the summary must contain)
CASES = [
    # the loop mistakes of the lesson, on the learner's own train()
    ("linear_regression", (ZERO_GRAD, ""), "missing-zero-grad", "zero-grad-is-boilerplate", "never cleared"),
    ("linear_regression", (LOOP_BODY, LOOP_BODY.replace(ZERO_GRAD, "") .replace(
        "        optimizer.step()               # use\n",
        "        optimizer.zero_grad()\n        optimizer.step()\n")),
     "step-before-backward", "zero-grad-anywhere", "cleared after loss.backward()"),
    ("linear_regression", ("        loss.backward()                # compute\n", ""),
     "missing-backward", "step-computes-gradients", "loss.backward() never ran"),
    ("linear_regression", ("        optimizer.step()               # use\n", ""),
     "missing-optimizer-step", "backward-updates-weights", "never optimizer.step()"),
    # a loop that only calls backward: no clear, no step
    ("linear_regression", (ZERO_GRAD, "", "        optimizer.step()               # use\n", ""),
     "missing-optimizer-step", "backward-updates-weights", "the loss never moved"),
    ("linear_regression", ("        loss = loss_fn(y_hat, y)", "        loss = (y_hat - y) ** 2"),
     "non-scalar-backward", "backward-on-any-tensor", "shape [16, 1]"),
    ("linear_regression", ("    losses = []\n    for _ in range(epochs):", "    losses = []\n    y_hat = model(X)\n"
                           "    for _ in range(epochs):", "        y_hat = model(X)               # forward: a fresh graph every iteration\n", ""),
     "graph-freed", "graph-persists", "already freed"),
    ("linear_regression", ("        optimizer.zero_grad()          # clear", "        optimizer.zero_grad"),
     "missing-zero-grad", "zero-grad-is-boilerplate", "never cleared"),
    ("linear_regression", ("        y_hat = model(X) ", "        y_hat = model.forward(X) "),
     "forward-called-directly", "forward-equals-call", "model.forward(X)"),
    ("linear_regression", ("losses.append(loss.item())", "losses.append(loss)"),
     "loss-accumulated-with-graph", None, "attached to its graph"),
    ("linear_regression", ("lr=0.1)", "lr=1.5)"), "diverged", "bigger-lr-is-faster", "diverged"),
    ("linear_regression", ("EPOCHS = 200", "EPOCHS = 10"), "not-converged", None, "stopped early"),
    ("linear_regression", ("    model = nn.Linear(1, 1)\n    loss_fn", "    model = nn.Linear(1, 1)\n"
                           "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n    model = nn.Linear(1, 1)\n"
                           "    loss_fn", "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n    return",
                           "    return"),
     "optimizer-missing-params", None, "does not hold"),
    # the colleague's loop: the usual wrong fixes
    ("accumulation_bug", ("        optimizer.zero_grad()          # the missing line: clear, then compute, then use\n", ""),
     "missing-zero-grad", "zero-grad-is-boilerplate", "pile up"),
    ("accumulation_bug", ("        optimizer.zero_grad()          # the missing line: clear, then compute, then use\n", "",
                          "    losses = []\n", "    losses = []\n    optimizer.zero_grad()\n"),
     "missing-zero-grad", "zero-grad-is-boilerplate", "pile up"),
    ("accumulation_bug", ("        optimizer.zero_grad()          # the missing line: clear, then compute, then use\n", "",
                          "        loss.backward()\n", "        loss.backward()\n        optimizer.zero_grad()\n"),
     "step-before-backward", "zero-grad-anywhere", "before optimizer.step()"),
    # optimizer.step() against the update by hand
    ("optimizer_step", ("            p -= lr * p.grad ", "            p = p - lr * p.grad "),
     "not-in-place", None, "did not change"),
    ("optimizer_step", ("    with torch.no_grad():                  # the update is not part of the graph", "    if True:"),
     "update-outside-no-grad", "no-grad-is-only-speed", "gradient recording on"),
    ("optimizer_step", ("    loss.backward()\n    optimizer.step()", "    optimizer.step()"),
     "missing-backward", "step-computes-gradients", "without loss.backward()"),
    ("optimizer_step", ("    optimizer.step()                       # the same", "    pass  # the same"),
     "missing-optimizer-step", "backward-updates-weights", "never optimizer.step()"),
    ("optimizer_step", ("    loss.backward()\n    optimizer.step()", "    optimizer.step()\n    loss.backward()"),
     "step-before-backward", "step-computes-gradients", "before loss.backward()"),
    ("optimizer_step", ("torch.optim.SGD(model.parameters(), lr=lr)", "torch.optim.SGD(model.parameters(), lr=0.05)"),
     "hard-coded-lr", None, "learning rate of 0.05"),
    ("optimizer_step", ("torch.optim.SGD(model.parameters(), lr=lr)", "torch.optim.SGD(model, lr=lr)"),
     "optimizer-given-model", None, "model itself"),
    # nn.MSELoss against the formula
    ("mse_loss", ("manual_mse = ((y_hat - y) ** 2).mean()", "manual_mse = ((y_hat - y) ** 2).sum()"),
     "sum-not-mean", "reduction-is-cosmetic", "adds up"),
    ("mse_loss", ("manual_mse = ((y_hat - y) ** 2).mean()", "manual_mse = (y_hat - y).mean()"),
     "forgot-square", None, "without squaring"),
    ("mse_loss", ("manual_mse = ((y_hat - y) ** 2).mean()", "manual_mse = nn.MSELoss()(y_hat, y)"),
     "used-library", None, "not by hand"),
    ("mse_loss", ("flat_mse = criterion(y_hat, y_flat.reshape(-1, 1))", "flat_mse = criterion(y_hat, y_flat)"),
     "loss-broadcast", None, "broadcast to [5, 5]"),
    ("mse_loss", ("criterion = nn.MSELoss()", "criterion = nn.MSELoss(reduction='sum')"),
     "wrong-reduction", "reduction-is-cosmetic", "reduction='sum'"),
    # reduction modes
    ("reduction_modes", ("w.grad = None                      # start clean: .grad adds up otherwise", "pass"),
     "missing-zero-grad", "zero-grad-is-boilerplate", "plus"),
    ("reduction_modes", ("grad_mean = w.grad.item()\nw.grad = None", "grad_mean = w.grad\nw.grad.zero_()"),
     "aliased-grad", None, "same tensor"),
    ("reduction_modes", ("    return (weights * per_sample).mean()", "    return weights * per_sample"),
     "non-scalar-backward", "backward-on-any-tensor", "one number"),
    ("reduction_modes", ("    return (weights * per_sample).mean()", "    return ((weights * (y_hat - y)) ** 2).mean()"),
     "weights-squared", None, "before squaring"),
    # learning rate
    ("learning_rate", ("lr_diverge = 1.5", "lr_diverge = 1.0"), "on-the-edge", None, "exactly on the edge"),
    ("learning_rate", ("lr_good = 0.5 ", "lr_good = 1.2 "), "diverged", "bigger-lr-is-faster", "diverges"),
    ("learning_rate", ("edge = 1.0 ", "edge = 2.0 "), "edge-too-high", None, "curvature"),
    # SGD -> Adam
    ("swap_to_adam", ("torch.optim.Adam(model.parameters(), lr=0.1)", "torch.optim.Adam(model.parameters())"),
     "adam-default-lr", "adam-default-lr-always-works", "0.001"),
    ("swap_to_adam", ("torch.optim.Adam(model.parameters(), lr=0.1)", "torch.optim.Adam([model.weight], lr=0.1)"),
     "optimizer-missing-params", None, "bias"),
    ("swap_to_adam", ("        optimizer.zero_grad()\n", ""), "missing-zero-grad", "zero-grad-is-boilerplate", "never cleared"),
    # the independent network
    ("two_layer_net", ("        nn.ReLU(),                 # without it the two layers collapse into one line\n", ""),
     "linear-collapse", "stacking-linears-adds-power", "straight lines"),
    ("two_layer_net", ("    criterion = nn.MSELoss()", "    criterion = nn.MSELoss(reduction='none')"),
     "non-scalar-backward", "backward-on-any-tensor", "backward() needs one number"),
    ("two_layer_net", ("        optimizer.step()\n", ""), "missing-optimizer-step", "backward-updates-weights",
     "never optimizer.step()"),
    ("two_layer_net", ("        optimizer.zero_grad()\n", ""), "missing-zero-grad", "zero-grad-is-boilerplate", "pile up"),
    ("two_layer_net", ("range(400)", "range(5000)"), "too-many-steps", None, "2000"),
]


@pytest.mark.parametrize("stem, pairs, failure, misconception, words", CASES,
                         ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_wrong_answer_is_named(stem, pairs, failure, misconception, words, tmp_path) -> None:
    result = verdict(stem, slip(stem, *pairs), tmp_path)
    assert not result.passed, f"{stem}: the slip passed: {result.summary}"
    assert result.failure == failure, f"{stem}: failure {result.failure!r}, summary: {result.summary}"
    if misconception:
        assert misconception in result.misconceptions, f"{stem}: misconceptions {result.misconceptions}"
    assert words in result.summary, f"{stem}: {words!r} not in {result.summary!r}"


STARTERS = [
    ("mse_loss", "placeholder"),
    ("optimizer_step", "placeholder"),
    ("reduction_modes", "placeholder"),
    ("learning_rate", "placeholder"),
    ("linear_regression", "placeholder"),
    ("swap_to_adam", "still-sgd"),
    ("accumulation_bug", "missing-zero-grad"),    # the working-but-wrong starter fails on behaviour
    ("two_layer_net", "placeholder"),
]


@pytest.mark.parametrize("stem, failure", STARTERS, ids=[s for s, _ in STARTERS])
def test_starter_fails_with_a_next_step(stem, failure, tmp_path) -> None:
    source = (LESSON / "exercises" / f"{stem}.py").read_text(encoding="utf-8")
    result = verdict(stem, source, tmp_path)
    assert not result.passed
    assert result.failure == failure, result.summary


def test_accumulation_verdict_shows_the_growing_gradient(tmp_path) -> None:
    source = (LESSON / "exercises" / "accumulation_bug.py").read_text(encoding="utf-8")
    result = verdict("accumulation_bug", source, tmp_path)
    evidence = " ".join(result.details)
    assert "the gradient used had size" in evidence and "own loss asked for" in evidence


def test_probe_leaves_torch_as_it_found_it(tmp_path) -> None:
    backward, opt_zero, mod_zero = torch.autograd.backward, torch.optim.Optimizer.zero_grad, nn.Module.zero_grad
    step_hooks = len(getattr(optimizer_module, "_global_optimizer_pre_hooks", {}))
    verdict("linear_regression", slip("linear_regression", (ZERO_GRAD, "")), tmp_path)
    verdict("linear_regression", slip("linear_regression", ("        loss = loss_fn(y_hat, y)",
                                                           "        loss = (y_hat - y) ** 2")), tmp_path)
    assert torch.autograd.backward is backward
    assert torch.optim.Optimizer.zero_grad is opt_zero
    assert nn.Module.zero_grad is mod_zero
    assert len(getattr(optimizer_module, "_global_optimizer_pre_hooks", {})) == step_hooks


def test_predict_checks_compute_the_seed_numbers() -> None:
    lesson = next(l for l in load_or_raise().lessons if l.slug == "training-loop")
    answers = {}
    for check in lesson.checks:
        if check.kind == "predict":
            namespace: dict = {}
            exec(check.code, namespace)
            answers[check.id] = namespace["answer"]
    assert answers["predict-sgd-step"] == pytest.approx(4.8, abs=1e-6)          # 5.0 - 0.1 * 2.0
    assert answers["predict-accumulated-grad"] == pytest.approx(5.0, abs=1e-6)  # 2.0 + 3.0

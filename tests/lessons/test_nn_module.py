"""nn-module: realistic wrong answers get a verdict that names the mistake.

Each case starts from the reference solution, makes one slip a learner would make,
runs it through the harness with the real checker, and checks the failure tag, the
misconception (where there is one) and words in the summary.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from torchtutor.checks.harness import run_exercise

LESSON = Path(__file__).resolve().parents[2] / "src" / "torchtutor" / "course" / "pytorch-core" / "nn-module"


def slip(stem: str, old: str, new: str) -> str:
    source = (LESSON / "solutions" / f"{stem}.py").read_text(encoding="utf-8")
    assert old in source, f"{stem}: the solution no longer contains {old!r}"
    return source.replace(old, new)


# (stem, old, new, failure tag, misconception or None, words the summary must contain)
CASES = [
    ("inspect_linear", "nn.Linear(6, 4)", "nn.Linear(4, 6)", "swapped-in-out", None, "swapped"),
    ("inspect_linear", "weight_shape = tuple(layer.weight.shape)", "weight_shape = (6, 4)",
     "linear-weight-is-in-by-out", "linear-weight-is-in-by-out", "(out_features, in_features)"),
    ("inspect_linear", "n_params = sum(p.numel() for p in layer.parameters())", "n_params = layer.weight.numel()",
     "forgot-bias", None, "biases"),
    ("inspect_linear", "n_params = sum(p.numel() for p in layer.parameters())",
     "n_params = len(list(layer.parameters()))", "counted-tensors", None, "tensors"),
    ("verify_linear", "return x @ weight.T + bias", "return x @ weight + bias",
     "weight-not-transposed", "linear-weight-is-in-by-out", "weight.T"),
    ("verify_linear", "return x @ weight.T + bias", "return x * weight + bias", "star-is-matmul", None, "`@`"),
    ("verify_linear", "return x @ weight.T + bias", "return x @ weight.T", "forgot-bias", None, "bias"),
    ("verify_linear", "return x @ weight.T + bias", "return torch.nn.functional.linear(x, weight, bias)",
     "used-the-layer", "linear-layer-is-magic", "F.linear"),
    ("two_layer_module", "        super().__init__()                       # builds the registries first\n", "",
     "super-init-is-optional", "super-init-is-optional", "super().__init__()"),
    ("two_layer_module", "h = torch.relu(self.hidden(x))", "h = self.hidden(x)",
     "stacking-linears-adds-power", "stacking-linears-adds-power", "no activation"),
    ("two_layer_module", "        h = torch.relu(self.hidden(x))\n        return self.output(h)",
     "        layer = nn.Linear(self.hidden.in_features, self.hidden.out_features)\n"
     "        return self.output(torch.relu(layer(x)))",
     "layers-in-forward", "layers-in-forward", "different output every time"),
    ("two_layer_module", "    with torch.no_grad():                        # setting values is not part of the graph",
     "    if True:", "RuntimeError", None, "torch.no_grad"),
    ("payoff_gradients", "y_hat = model(x) ", "y_hat = model.forward(x)",
     "forward-equals-call", "forward-equals-call", "model(x)"),
    ("payoff_gradients", "    model.zero_grad()                      # every parameter, in one call\n", "",
     "zero-grad-is-boilerplate", "zero-grad-is-boilerplate", "doubled"),
    ("payoff_gradients", "    model.zero_grad()                      # every parameter, in one call",
     "    for p in model.parameters():\n        p.grad.zero_()", "AttributeError", None, "None"),
    ("payoff_gradients", "loss = ((y_hat - y) ** 2).mean()", "loss = ((y_hat - y) ** 2).sum()",
     "sum-not-mean", None, "sums"),
    ("to_sequential", "nn.Sequential(net.hidden, nn.ReLU(), net.output)", "nn.Sequential(net.hidden, net.output)",
     "stacking-linears-adds-power", "stacking-linears-adds-power", "no activation"),
    ("to_sequential", "nn.Sequential(net.hidden, nn.ReLU(), net.output)",
     "nn.Sequential(net.hidden, torch.relu, net.output)", "relu-not-a-module", None, "nn.Sequential"),
    ("to_sequential", "nn.Sequential(net.hidden, nn.ReLU(), net.output)",
     "nn.Sequential(net.hidden, nn.ReLU, net.output)", "relu-not-a-module", None, "parentheses"),
    ("to_sequential", "nn.Sequential(net.hidden, nn.ReLU(), net.output)",
     "nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))", "fresh-layers", None, "fresh random weights"),
    ("linear_collapse", "W_eff = second.weight @ first.weight", "W_eff = first.weight @ second.weight",
     "collapse-order", None, "wrong order"),
    ("linear_collapse", "b_eff = second.weight @ first.bias + second.bias", "b_eff = second.bias",
     "collapse-bias", None, "first layer's bias"),
    ("linear_collapse", "W_eff = second.weight @ first.weight", "W_eff = (second.weight @ first.weight).T",
     "collapse-transposed", "linear-weight-is-in-by-out", "transposed"),
    ("freeze_and_share", "model[0].requires_grad_(False)", "model[0].requires_grad = False",
     "module-requires-grad-attribute", "module-requires-grad-attribute", "freezes nothing"),
    ("freeze_and_share", "model[0].requires_grad_(False)", "model[0].weight.requires_grad_(False)",
     "froze-weight-only", None, "0.bias"),
    ("freeze_and_share", "        self.shared = nn.Linear(features, features)   # one layer, one set of parameters\n",
     "        self.shared = nn.Linear(features, features)\n        self.second = nn.Linear(features, features)\n",
     "shared-layer-copies-weights", "shared-layer-copies-weights", "nothing is shared"),
    ("buffers", 'self.register_buffer("mean", mean)', "self.mean = mean",
     "tensor-attribute-is-state", "tensor-attribute-is-state", "plain tensor attribute"),
    ("buffers", 'self.register_buffer("mean", mean)', "self.mean = nn.Parameter(mean)",
     "buffer-as-parameter", None, "learnable parameters"),
    ("buffers", "        super().__init__()\n", "", "super-init-is-optional", "super-init-is-optional",
     "super().__init__()"),
    ("skip_connection", "return self.linear(torch.relu(x)) + x", "return self.linear(torch.relu(x))",
     "missing-skip", None, "adding x back"),
    ("skip_connection", "return self.linear(torch.relu(x)) + x", "return torch.relu(self.linear(x)) + x",
     "skip-order", None, "after the linear layer"),
    ("skip_connection", "nn.Sequential(*[SkipBlock(features) for _ in range(n)])",
     "nn.Sequential(*[SkipBlock(features)] * n)", "shared-layer-copies-weights", "shared-layer-copies-weights",
     "same SkipBlock object"),
]


@pytest.mark.parametrize("stem,old,new,failure,misconception,words", CASES,
                         ids=[f"{c[0]}:{c[3]}:{i}" for i, c in enumerate(CASES)])
def test_wrong_answer_is_named(tmp_path, stem, old, new, failure, misconception, words) -> None:
    learner = tmp_path / f"{stem}.py"
    learner.write_text(slip(stem, old, new), encoding="utf-8")
    verdict = run_exercise(f"nn-module/{stem}", str(learner), str(LESSON / "checkers" / f"{stem}.py"))
    assert not verdict.passed, verdict.summary
    assert verdict.failure == failure, (verdict.failure, verdict.summary)
    if misconception:
        assert misconception in verdict.misconceptions, verdict.misconceptions
    assert words in verdict.summary + " ".join(verdict.details), verdict.summary
    assert "Traceback" not in verdict.summary


STEMS = sorted(p.stem for p in (LESSON / "exercises").glob("*.py"))


@pytest.mark.parametrize("stem", STEMS)
def test_starter_fails_and_solution_passes(stem) -> None:
    checker = str(LESSON / "checkers" / f"{stem}.py")
    starter = run_exercise(f"nn-module/{stem}", str(LESSON / "exercises" / f"{stem}.py"), checker)
    assert not starter.passed and starter.failure in {"placeholder", "missing-name"}, starter.summary
    solution = run_exercise(f"nn-module/{stem}", str(LESSON / "solutions" / f"{stem}.py"), checker)
    assert solution.passed, (solution.summary, solution.details)


def test_every_exercise_is_a_case() -> None:
    assert len(STEMS) == 9
    assert {c[0] for c in CASES} == set(STEMS)

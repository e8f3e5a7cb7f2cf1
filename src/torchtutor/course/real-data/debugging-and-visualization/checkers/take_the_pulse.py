"""Checker for debugging-and-visualization/take-the-pulse: grad_norms and pulse_ratio against the checker's own
measurement, on networks with stale gradients already in .grad."""

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail


def _net(activation, depth=6, seed=0):
    torch.manual_seed(seed)
    layers = [nn.Linear(12, 24), activation()]
    for _ in range(depth - 2):
        layers += [nn.Linear(24, 24), activation()]
    return nn.Sequential(*layers, nn.Linear(24, 4))


def _reference(model, X, y):
    model.zero_grad()
    nn.CrossEntropyLoss()(model(X), y).backward()
    out = {name: p.grad.norm().item() for name, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    return out


def _close(a, b):
    return abs(a - b) <= 1e-6 + 1e-4 * abs(b)


def check(ex):
    g = torch.Generator().manual_seed(5)
    X, y = torch.randn(64, 12, generator=g), torch.randint(0, 4, (64,), generator=g)
    for activation in (nn.Tanh, nn.Sigmoid):
        model = _net(activation)
        model[0].bias.requires_grad_(False)              # a frozen parameter: no gradient, no entry
        want = _reference(model, X, y)
        for p in model.parameters():                     # stale gradients from an earlier step
            if p.requires_grad:
                p.grad = torch.full_like(p, 0.5)
        before = [p.detach().clone() for p in model.parameters()]
        norms = ex.call("grad_norms", model, X, y)
        if not isinstance(norms, dict):
            fail(f"`grad_norms` should return a dict from name to norm, but it returned {describe(norms)}.",
                 failure="placeholder" if norms is None else "wrong-type")
        if any(not torch.equal(a, p.detach()) for a, p in zip(before, model.parameters())):
            fail("`grad_norms` changed the model's weights: it should only measure.",
                 "One forward and backward pass, no optimizer step.", failure="weights-changed")
        if set(norms) != set(want):
            missing = sorted(set(want) - set(norms))
            extra = sorted(set(norms) - set(want))
            fail("`grad_norms` should have one entry per parameter that got a gradient, named as "
                 "model.named_parameters() names it.",
                 *([f"Missing: {', '.join(missing)}."] if missing else []),
                 *([f"Not expected: {', '.join(extra)} (a frozen parameter gets no gradient)."] if extra else []),
                 failure="wrong-names")
        if any(isinstance(v, torch.Tensor) for v in norms.values()):
            fail("`grad_norms` returned tensors; return Python floats (p.grad.norm().item()).", failure="tensor-values")
        name = next(iter(want))
        weight_norms = {n: p.detach().norm().item() for n, p in model.named_parameters()}
        if all(_close(float(norms[n]), weight_norms[n]) for n in want):
            fail("`grad_norms` measured the weights, not their gradients: every value is p.norm().",
                 "The pulse is the size of each layer's gradient after one backward pass: p.grad.norm().",
                 misconceptions=["grad-norm-is-weight-norm"], failure="measured-weights")
        if not all(_close(float(norms[n]), want[n]) for n in want):
            if all(float(norms[n]) > want[n] for n in want):
                fail("Your norms are larger than this batch's gradients: the old values in .grad were still there, and "
                     "backward() added to them.",
                     f"For {name}: you measured {float(norms[name]):.4g}, this batch's gradient has norm {want[name]:.4g}. "
                     "Start from clean gradients: model.zero_grad() before the backward pass.", failure="stale-gradient")
            fail(f"`grad_norms` gives {name} a norm of {float(norms[name]):.4g}; its gradient for this batch has norm "
                 f"{want[name]:.4g}.", "One nn.CrossEntropyLoss()(model(X), y).backward() from clean gradients, then "
                 "p.grad.norm().item().", failure="wrong-values")
        ratio = ex.call("pulse_ratio", dict(want))
        weights = [v for n, v in want.items() if n.endswith("weight")]
        expected = weights[0] / weights[-1]
        try:
            value = float(ratio)
        except (TypeError, ValueError):
            fail(f"`pulse_ratio` should return a number, but it returned {describe(ratio)}.", failure="wrong-type")
        if _close(value, 1 / expected) and not _close(value, expected):
            fail(f"`pulse_ratio` is upside down: {value:.3g} is the last weight's norm over the first's.",
                 "First over last: a small ratio then means a weak first layer.", failure="ratio-inverted")
        if not _close(value, expected):
            fail(f"`pulse_ratio` gives {value:.4g}; the first weight's norm over the last weight's is {expected:.4g}.",
                 "Use only the names that end in 'weight', in the dict's order.", failure="wrong-ratio")
    return ("You take the pulse correctly: clean gradients, one backward pass, one norm per layer. On a 6-layer sigmoid "
            f"stack the first layer's pulse is {expected:.1e} of the last one's: vanishing.")

"""Checker for nn-module/linear-collapse."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, describe, expect_tensor, fail, known

import _nn_checks as nnc  # this lesson's shared probes (checkers/_nn_checks.py)


PAIRS = [(4, 8, 3), (2, 5, 6), (3, 3, 3)]   # in -> hidden -> out; (3, 3, 3) is square on purpose


def _number(value, what):
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            fail(f"{what} should be one number, but it is {describe(value)}.",
                 "Take the largest absolute difference over the whole output: (a - b).abs().max().item().",
                 failure="not-scalar")
        value = value.item()
    if value is None:
        fail(f"{what} returns None: finish gap() and return the largest absolute difference.", failure="placeholder")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"{what} should be a float, the largest absolute difference, but it is {describe(value)}.",
             failure="not-a-number")
    return float(value)


def check(ex):
    collapse = ex.get("collapse")
    if not callable(collapse):
        fail("`collapse` should be a function: def collapse(first, second): ...", failure="not-callable")
    for n_in, n_hidden, n_out in PAIRS:
        torch.manual_seed(n_in * 100 + n_hidden * 10 + n_out)
        first, second = nn.Linear(n_in, n_hidden), nn.Linear(n_hidden, n_out)
        W1, b1, W2, b2 = (t.detach() for t in (first.weight, first.bias, second.weight, second.bias))
        result = nnc.call(ex, "Calling `collapse(first, second)`", collapse, first, second, errors=[known("collapse-order", "collapse-bias")])
        if result is None or (isinstance(result, tuple) and all(r is None for r in result)):
            fail("collapse returns None: compute and return (W_eff, b_eff).", failure="placeholder")
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            fail(f"collapse should return a pair (W_eff, b_eff), but it returns {describe(result)}.",
                 failure="not-a-pair")
        W_eff, b_eff = result
        label = f"nn.Linear({n_in}, {n_hidden}) then nn.Linear({n_hidden}, {n_out})"
        expect_tensor(W_eff, W2 @ W1, name=f"W_eff for {label}", wrong=[
            Wrong("W_eff is W1 @ W2, the product in the wrong order. It only runs because these layers are square. "
                  "The first layer acts first, so its matrix sits on the right: W_eff = W2 @ W1.",
                  when=lambda v, W1=W1, W2=W2: n_in == n_hidden == n_out and torch.allclose(v, W1 @ W2, atol=1e-5),
                  failure="collapse-order"),
            Wrong(f"W_eff is transposed: it has shape ({n_in}, {n_out}) = (in, out). Keep nn.Linear's convention, "
                  f"(out, in) = ({n_out}, {n_in}), so that the single layer computes x @ W_eff.T + b_eff.",
                  when=lambda v, W1=W1, W2=W2: n_in != n_out and isinstance(v, torch.Tensor)
                  and v.shape == (W2 @ W1).T.shape and torch.allclose(v, (W2 @ W1).T, atol=1e-5),
                  misconceptions=["linear-weight-is-in-by-out"], failure="collapse-transposed"),
        ])
        expect_tensor(b_eff, W2 @ b1 + b2, name=f"b_eff for {label}", wrong=[
            Wrong("b_eff is just b2: it forgets that the first layer's bias also passes through the second layer. "
                  "W2 (W1 x + b1) + b2 leaves W2 @ b1 + b2 outside the x term.", value=b2, failure="collapse-bias"),
            Wrong("b_eff is W2 @ b1: the second layer's own bias b2 is missing. b_eff = W2 @ b1 + b2.",
                  value=W2 @ b1, failure="collapse-bias"),
        ])

    gap = ex.get("gap")
    if not callable(gap):
        fail("`gap` should be a function: def gap(stack, first, second, x): ...", failure="not-callable")
    torch.manual_seed(0)
    plain = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 3))
    with_relu = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = torch.randn(10, 4)
    with torch.no_grad():
        W = plain[1].weight @ plain[0].weight
        b = plain[1].weight @ plain[0].bias + plain[1].bias
        true_plain = (plain(x) - (x @ W.T + b)).abs().max().item()
        W = with_relu[2].weight @ with_relu[0].weight
        b = with_relu[2].weight @ with_relu[0].bias + with_relu[2].bias
        diff = (with_relu(x) - (x @ W.T + b)).abs()
        true_relu, mean_relu = diff.max().item(), diff.mean().item()

    gap_plain = _number(nnc.call(ex, "Calling `gap(plain, plain[0], plain[1], x)`", gap, plain, plain[0], plain[1], x),
                        "gap(plain, plain[0], plain[1], x)")
    if gap_plain > 1e-5:
        fail(f"gap(plain, plain[0], plain[1], x) is {gap_plain:.4g}, but a stack of two linear layers matches its "
             f"collapsed layer to float rounding ({true_plain:.1e} here).",
             "Inside gap: W_eff, b_eff = collapse(first, second), then "
             "(stack(x) - (x @ W_eff.T + b_eff)).abs().max().item().", failure="wrong-value")
    gap_relu = _number(nnc.call(ex, "Calling `gap(with_relu, with_relu[0], with_relu[2], x)`", gap, with_relu,
                                   with_relu[0], with_relu[2], x), "gap(with_relu, with_relu[0], with_relu[2], x)")
    if abs(gap_relu - mean_relu) < 1e-5 and abs(mean_relu - true_relu) > 1e-5:
        fail(f"gap() returns the mean absolute difference ({gap_relu:.4f} with the ReLU); the task asks for the "
             f"largest, {true_relu:.4f}.", "Use .abs().max().item().", failure="wrong-value")
    if abs(gap_relu - true_relu) > 1e-4:
        fail(f"gap(with_relu, with_relu[0], with_relu[2], x) is {gap_relu:.4f}, but the largest difference between "
             f"with_relu(x) and its would-be collapsed layer is {true_relu:.4f}.",
             "Inside gap, measure `stack` itself: (stack(x) - (x @ W_eff.T + b_eff)).abs().max().item().",
             failure="wrong-value")
    return (f"W_eff = W2 @ W1 and b_eff = W2 @ b1 + b2 reproduce the plain stack (gap {true_plain:.0e}); with a ReLU "
            f"between the same kind of layers the gap is {true_relu:.3f}. Depth needs a nonlinearity to add power.")

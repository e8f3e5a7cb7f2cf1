"""Checker for nn-module/verify-linear."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from torchtutor.checks import Wrong, expect_tensor, fail, known

import _nn_checks as nnc  # this lesson's shared probes (checkers/_nn_checks.py)


CASES = [(3, 2, 5), (4, 4, 3), (1, 3, 2), (5, 1, 4)]   # (in, out, batch); (4, 4) is square on purpose


def check(ex):
    manual_linear = ex.get("manual_linear")
    if not callable(manual_linear):
        fail("`manual_linear` should be a function: def manual_linear(x, weight, bias): ...", failure="not-callable")
    for n_in, n_out, n in CASES:
        torch.manual_seed(10 * n_in + n_out)
        layer = nn.Linear(n_in, n_out)
        x = torch.randn(n, n_in)
        w, b = layer.weight.detach().clone(), layer.bias.detach().clone()
        expected = layer(x).detach()

        used_layer = []
        real_linear = F.linear

        def spy(*args, **kwargs):
            used_layer.append(True)
            return real_linear(*args, **kwargs)

        F.linear = spy
        try:
            got = nnc.call(ex, "Calling `manual_linear(x, weight, bias)`", manual_linear, x, w, b, errors=[known("weight-not-transposed", "star-is-matmul")])
        finally:
            F.linear = real_linear
        if used_layer:
            fail("manual_linear calls nn.Linear or F.linear, the very computation it should spell out.",
                 "The point is to see that nothing else is inside: compute it yourself from x, weight and bias with "
                 "@, + and .T.", misconceptions=["linear-layer-is-magic"], failure="used-the-layer")
        if got is None:
            fail("manual_linear returns None: replace `return None` with the layer's computation.",
                 failure="placeholder")
        where = f"manual_linear(x, weight, bias) for a layer nn.Linear({n_in}, {n_out}) and x of shape ({n}, {n_in})"
        expect_tensor(got, expected, name=where, atol=1e-5, wrong=[
            Wrong("manual_linear leaves out the bias: it returns x @ weight.T, but every neuron adds its own bias "
                  "after the weighted sum.", value=x @ w.T, failure="forgot-bias"),
            Wrong("manual_linear multiplies by the weight without transposing it. That only runs because this "
                  "weight is square; its rows are neurons, so the layer computes x @ weight.T.",
                  when=lambda v, x=x, w=w, b=b: n_in == n_out and torch.allclose(v, x @ w + b, atol=1e-5),
                  misconceptions=["linear-weight-is-in-by-out"], failure="weight-not-transposed"),
            Wrong("manual_linear returns the output of a different layer: it must use the `weight` and `bias` "
                  "arguments it is given, not a layer or tensors from elsewhere in your file.",
                  when=lambda v, e=expected: isinstance(v, torch.Tensor) and v.shape == e.shape
                  and not torch.allclose(v, e, atol=1e-4) and _ignores_arguments(manual_linear, x, w, b),
                  failure="used-the-layer"),
        ])
    return ("manual_linear matches nn.Linear on four layers, square and not: a layer is x @ weight.T + bias and "
            "nothing more.")


def _ignores_arguments(fn, x, w, b):
    try:
        a = fn(x, w, b)
        c = fn(x, w * 2 + 1, b - 3)
    except Exception:
        return False
    return isinstance(a, torch.Tensor) and isinstance(c, torch.Tensor) and torch.allclose(a, c)

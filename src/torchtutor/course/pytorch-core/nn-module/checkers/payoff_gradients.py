"""Checker for nn-module/payoff-gradients."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, describe, expect_tensor, fail, known

import _nn_checks as nnc  # this lesson's shared probes (checkers/_nn_checks.py)


class _Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(1, 1)
        self.output = nn.Linear(1, 1)
        with torch.no_grad():
            self.hidden.weight.fill_(0.5)
            self.hidden.bias.fill_(0.1)
            self.output.weight.fill_(-0.3)
            self.output.bias.fill_(0.2)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


# The chain rule by hand, in plain floats (the lesson's first representation).
_Z1 = 0.5 * 2.0 + 0.1
_D_YHAT = 2 * ((-0.3 * max(_Z1, 0.0) + 0.2) - 1.0)
HAND = {"hidden.weight": _D_YHAT * -0.3 * 2.0, "hidden.bias": _D_YHAT * -0.3,
        "output.weight": _D_YHAT * _Z1, "output.bias": _D_YHAT}


def _gradients_of(ex, fn, model, x, y, label):
    result, fired = nnc.called_through_module(
        model, lambda: nnc.call(ex, f"Calling `gradients(model, x, y)` {label}", fn, model, x, y, errors=[known()]))
    if result is None:
        fail("gradients() returns None: finish the function and return a dict of gradients.", failure="placeholder")
    if not fired:
        summary, why, fix = nnc.FORWARD_MESSAGE
        fail(summary, why, fix, misconceptions=["forward-equals-call"], failure="forward-equals-call")
    if not isinstance(result, dict):
        fail(f"gradients() should return a dict {{name: gradient}}, but it returns {describe(result)}.",
             "Build it from model.named_parameters(): {name: p.grad.clone() for name, p in model.named_parameters()}.",
             failure="not-a-dict")
    names = [n for n, _ in model.named_parameters()]
    if set(result) != set(names):
        fail(f"gradients() returns the keys {sorted(map(str, result))}, but the model's parameters are named {names}.",
             "Use the names model.named_parameters() gives, so the dict works for any model.", failure="wrong-keys")
    params = dict(model.named_parameters())
    for name in names:
        g = result[name]
        if g is None:
            fail(f"The gradient of {name} is None: backward() never reached it.",
                 "Compute the loss from model(x) and call loss.backward() before reading .grad.",
                 failure="no-backward")
        if isinstance(g, torch.Tensor) and g is params[name]:
            fail(f"gradients() returns the parameter {name} itself, not its gradient.",
                 "Read the gradient from the parameter's .grad attribute: p.grad.clone().", failure="returned-parameters")
    return result


def check(ex):
    fn = ex.get("gradients")
    if not callable(fn):
        fail("`gradients` should be a function: def gradients(model, x, y): ...", failure="not-callable")

    # 1. The shared network, twice on the same model.
    model = _Shared()
    x, y = torch.tensor([[2.0]]), torch.tensor([[1.0]])
    for attempt in ("the first time", "a second time, on the same model"):
        got = _gradients_of(ex, fn, model, x, y, attempt)
        for name, value in HAND.items():
            want = torch.full_like(model.get_parameter(name), value)
            expect_tensor(got[name], want, name=f"gradients(...)[{name!r}] on the shared network, called {attempt}",
                          atol=1e-4, wrong=[
                Wrong(f"Called a second time, gradients() returns doubled gradients ({name} is {2 * value:.4f} "
                      f"instead of {value:.4f}): the old gradients were never cleared.",
                      value=2 * want, misconceptions=["zero-grad-is-boilerplate"], failure="zero-grad-is-boilerplate",
                      details=["backward() adds into .grad; it does not overwrite it. Call model.zero_grad() at the "
                               "start of gradients(), so every call starts from a clean slate."]),
                Wrong(f"{name} has the wrong sign: the loss should be the squared error of y_hat - y.",
                      value=-want, failure="wrong-loss"),
            ])

    # 2. Another model and a batch: the function must not depend on the shared network.
    torch.manual_seed(3)
    other = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    xb, yb = torch.randn(8, 3), torch.randn(8, 1)
    with torch.no_grad():
        other[0].weight.grad = torch.ones_like(other[0].weight)   # stale gradients that must be cleared
    got = _gradients_of(ex, fn, other, xb, yb, "on a batch of 8")
    ref = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    ref.load_state_dict(other.state_dict())
    ((ref(xb) - yb) ** 2).mean().backward()
    for name, p in ref.named_parameters():
        expect_tensor(got[name], p.grad, name=f"gradients(...)[{name!r}] for a batch of 8", atol=1e-5, wrong=[
            Wrong("With a batch, your gradients are 8 times too large: the loss sums the squared errors instead of "
                  "averaging them.", value=8 * p.grad, failure="sum-not-mean",
                  details=["Mean squared error is the mean: ((y_hat - y) ** 2).mean(). A sum makes the gradient "
                           "grow with the batch size."]),
        ])
    return ("One forward call, one backward(): hidden.weight 1.356, hidden.bias 0.678, output.weight -2.486, "
            "output.bias -2.26, the same numbers as by hand and as raw tensors, on every call.")

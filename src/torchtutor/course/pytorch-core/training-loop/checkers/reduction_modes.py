"""Checker for training-loop/reduction-modes: 'mean', 'sum', 'none' and what they do to gradients."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, describe, expect_close, expect_tensor, fail

import _loop_verdicts as lv  # this lesson's words for the loop probe (checkers/_loop_verdicts.py)


def _plain(value):
    return value.detach() if isinstance(value, torch.Tensor) else value


def _scalar_wrongs(name, err, expect):
    """Mix-ups between the three reductions, for a value that should be `expect`."""
    sq = err ** 2
    out = []
    if expect != "none":
        out.append(Wrong(f"`{name}` is one loss per sample (shape {list(sq.shape)}): that is reduction='none'. "
                         f"{'reduction=' + repr(expect)} turns them into one number.",
                         when=lambda v: isinstance(v, torch.Tensor) and v.numel() == sq.numel() and v.numel() > 1,
                         failure="wrong-reduction", misconceptions=["reduction-is-cosmetic"]))
    if expect == "mean":
        out.append(Wrong(f"`{name}` is the sum of the squared errors, {sq.numel()} times the mean: that is "
                         "reduction='sum'. The default, nn.MSELoss(), averages.",
                         value=float(sq.sum()), failure="wrong-reduction", misconceptions=["reduction-is-cosmetic"]))
    if expect == "sum":
        out.append(Wrong(f"`{name}` is the mean of the squared errors: that is the default reduction. "
                         "Ask for the sum: nn.MSELoss(reduction=\"sum\").",
                         value=float(sq.mean()), failure="wrong-reduction", misconceptions=["reduction-is-cosmetic"]))
    return out


def _swapped(name, other, loss, other_grad):
    """The gradient stored under ``name`` is the one of the ``other`` loss."""
    return Wrong(f"`{name}` is the gradient of {other}. {name} comes from {loss}.backward().",
                 value=other_grad, failure="swapped")


def check(ex):
    x = ex.get("x")
    y = ex.get("y")
    w = ex.get("w")
    w0 = float(_plain(w))
    err = (w0 * x - y).detach()
    n = err.numel()

    # 1. three reductions
    expect_close(_plain(ex.get("loss_mean")), float((err ** 2).mean()), name="loss_mean",
                 wrong=_scalar_wrongs("loss_mean", err, "mean"))
    expect_close(_plain(ex.get("loss_sum")), float((err ** 2).sum()), name="loss_sum",
                 wrong=_scalar_wrongs("loss_sum", err, "sum"))
    expect_tensor(_plain(ex.get("per_sample")), err ** 2, name="per_sample", wrong=[
        Wrong("`per_sample` is a single number, but reduction='none' keeps one loss per sample "
              f"(shape [{n}]).", when=lambda v: isinstance(v, torch.Tensor) and v.numel() == 1,
              failure="wrong-reduction", misconceptions=["reduction-is-cosmetic"]),
    ])

    # 2. gradients
    g_mean = float((2 * err * x).mean())
    g_sum = float((2 * err * x).sum())
    grad_mean = ex.get("grad_mean")
    current = w.grad
    if (isinstance(grad_mean, torch.Tensor) and current is not None and grad_mean.data_ptr() == current.data_ptr()
            and abs(float(grad_mean.detach()) - g_mean) > 1e-4 * abs(g_mean)):
        fail(f"`grad_mean` is w.grad itself, the very same tensor, so it changed when w.grad did: it now reads "
             f"{float(grad_mean.detach()):.4g} instead of {g_mean:.4g}.",
             "Clearing with w.grad.zero_() and the next backward() both write into that one tensor. Store a number, "
             "w.grad.item(), or a copy, w.grad.clone().", failure="aliased-grad")
    expect_close(_plain(grad_mean), g_mean, name="grad_mean", rtol=1e-4, wrong=[
        Wrong("`grad_mean` reads 0. It looks like you stored w.grad itself (the tensor) and then cleared it in place "
              "with w.grad.zero_(): your variable and w.grad are the same tensor.",
              value=0.0, failure="aliased-grad",
              details=["Store a number, w.grad.item(), or a copy, w.grad.clone(), before you clear."]),
        Wrong("`grad_mean` is the sum of both gradients. You stored w.grad itself (the tensor), and the second "
              "backward() added into that very tensor.",
              value=g_mean + g_sum, failure="aliased-grad", misconceptions=["zero-grad-is-boilerplate"],
              details=["Store a number with w.grad.item() (or a copy with .clone()), and clear w.grad before the "
                       "second backward()."]),
        _swapped("grad_mean", "the summed loss", "loss_mean", g_sum),
    ])
    expect_close(_plain(ex.get("grad_sum")), g_sum, name="grad_sum", rtol=1e-4, wrong=[
        Wrong(f"`grad_sum` is {g_mean + g_sum:.4g}: the gradient of the sum *plus* the gradient of the mean. "
              "w.grad still held grad_mean when loss_sum.backward() ran, and backward() adds to .grad.",
              value=g_mean + g_sum, failure="missing-zero-grad", misconceptions=["zero-grad-is-boilerplate"],
              details=["Clear it between the two: w.grad = None (or w.grad.zero_()). In a loop, "
                       "optimizer.zero_grad() does exactly this."]),
        _swapped("grad_sum", "the mean", "loss_sum", g_mean),
    ])
    expect_close(_plain(ex.get("ratio")), g_sum / g_mean, name="ratio", rtol=1e-3, wrong=[
        Wrong(f"`ratio` is upside down: grad_mean / grad_sum = 1/{n}. The exercise asks for grad_sum / grad_mean.",
              value=g_mean / g_sum, failure="inverted"),
        Wrong(f"`ratio` came out {(g_mean + g_sum) / g_mean:.4g}, one too many: grad_sum still holds the first "
              "gradient as well.", value=(g_mean + g_sum) / g_mean, failure="missing-zero-grad",
              misconceptions=["zero-grad-is-boilerplate"]),
    ])

    # 3. the weighted loss, on the checker's own numbers
    xs = torch.tensor([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    ys = torch.tensor([1.0, 2.5, 2.5, 4.5, 4.0, 6.5])
    weights = torch.tensor([1.0, 0.5, 2.0, 1.0, 3.0, 0.0])
    v = torch.tensor(1.5, requires_grad=True)
    y_hat = v * xs
    out = lv.call(ex, "weighted_mse", y_hat, ys, weights)
    if out is None:
        fail("`weighted_mse` still returns None.",
             "Per-sample losses with nn.MSELoss(reduction=\"none\")(y_hat, y), times weights, then .mean().",
             failure="placeholder")
    if not isinstance(out, torch.Tensor):
        fail(f"`weighted_mse(...)` should return a tensor, but it returned {describe(out)}.",
             "Keep it a tensor (no .item()): a training loop calls .backward() on it.", failure="not-a-tensor")
    if out.numel() != 1:
        fail(f"`weighted_mse(...)` returned a tensor of shape {list(out.shape)}: one weighted loss per sample. "
             "backward() needs one number: reduce with .mean().",
             "A training loop would call .backward() on this and get 'grad can be implicitly created only for scalar "
             "outputs'. Multiply by the weights, then average.",
             failure="non-scalar-backward", misconceptions=["backward-on-any-tensor"])
    e = (1.5 * xs - ys)
    sq = e ** 2
    expect_close(out.detach(), float((weights * sq).mean()), name="weighted_mse(...)", wrong=[
        Wrong("`weighted_mse(...)` ignores the weights: it is the plain MSE.",
              value=float(sq.mean()), failure="ignored-weights"),
        Wrong("`weighted_mse(...)` adds the weighted losses instead of averaging them.",
              value=float((weights * sq).sum()), failure="sum-not-mean", misconceptions=["reduction-is-cosmetic"]),
        Wrong("`weighted_mse(...)` weights the errors before squaring them, so each weight ends up squared. "
              "Square first (reduction='none' gives the squared errors), then multiply by the weights.",
              value=float(((weights * e) ** 2).mean()), failure="weights-squared"),
        Wrong("`weighted_mse(...)` divides by the total of the weights. That is a sensible convention too, but "
              "this exercise asks for the plain average over samples: (weights * per_sample).mean().",
              value=float((weights * sq).sum() / weights.sum()), failure="normalised-by-weights"),
    ])
    ex.call(out.backward, doing="Calling .backward() on weighted_mse(...)")   # a detached result fails here
    expected_grad = float((weights * 2 * e * xs).mean())
    if v.grad is None or abs(float(v.grad) - expected_grad) > 1e-3 * max(1.0, abs(expected_grad)):
        fail("`weighted_mse(...)` has the right value, but backward() through it does not reach the prediction's "
             "parameters with the right gradient.",
             "Build it from y_hat with tensor operations only (no .item(), no .detach(), no torch.tensor(...) "
             "around a result).", failure="detached-loss")
    return (f"Same squared errors, three reductions: mean {float((err ** 2).mean()):.4g}, sum "
            f"{float((err ** 2).sum()):.4g}, and {n} per-sample losses. The sum's gradient is {n} times the mean's, "
            "so switching reductions rescales your learning rate. Your weighted loss reduces to one number, ready "
            "for backward().")

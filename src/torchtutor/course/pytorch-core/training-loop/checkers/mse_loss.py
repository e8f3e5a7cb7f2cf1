"""Checker for training-loop/mse-loss: nn.MSELoss against a hand-written MSE."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from torchtutor.checks import Wrong, describe, expect_close, fail


def _node(value) -> str:
    """The name of the operation that produced a tensor (its grad_fn), or ''."""
    if isinstance(value, torch.Tensor) and value.grad_fn is not None:
        return type(value.grad_fn).__name__
    return ""


def _plain(value):
    """A learner's value with any graph cut off, for comparing numbers."""
    return value.detach() if isinstance(value, torch.Tensor) else value


def _mse_wrongs(name: str, err: torch.Tensor) -> list:
    n = err.numel()
    return [
        Wrong(f"`{name}` holds one squared error per sample: a tensor of shape {list(err.shape)}. "
              "A loss is one number: average the squared errors with .mean().",
              when=lambda v: isinstance(v, torch.Tensor) and v.numel() == n and v.numel() > 1
              and torch.allclose(v.detach().reshape(err.shape), err ** 2),
              failure="not-reduced"),
        Wrong(f"`{name}` averages the errors without squaring them. Positive and negative errors cancel out that "
              "way, so a model could be far off and still score near zero. Square each error, then average.",
              value=float(err.mean()), failure="forgot-square"),
        Wrong(f"`{name}` is the mean *absolute* error (what nn.L1Loss computes). MSE squares each error instead "
              "of taking its absolute value, so big errors count much more.",
              value=float(err.abs().mean()), failure="absolute-error"),
        Wrong(f"`{name}` adds up the squared errors instead of averaging them: that is reduction='sum', "
              f"{n} times the mean. MSE divides by the number of samples.",
              value=float((err ** 2).sum()), failure="sum-not-mean", misconceptions=["reduction-is-cosmetic"]),
        Wrong(f"`{name}` is the square root of the MSE (the RMSE). The loss is the mean of the squares, "
              "with no square root.",
              value=float((err ** 2).mean().sqrt()), failure="root-mean-square"),
        Wrong(f"`{name}` squares the average error instead of averaging the squared errors. The order matters: "
              "square each error first, then take the mean.",
              value=float(err.mean() ** 2), failure="square-of-mean"),
    ]


def check(ex):
    y_hat = ex.get("y_hat")
    y = ex.get("y")
    y_flat = ex.get("y_flat")
    err = (y_hat - y).detach()
    right = float((err ** 2).mean())

    # 1. by hand
    manual = ex.get("manual_mse")
    expect_close(_plain(manual), right, name="manual_mse", wrong=_mse_wrongs("manual_mse", err))
    if "MseLoss" in _node(manual):
        fail("`manual_mse` was computed with the library (nn.MSELoss or F.mse_loss), not by hand.",
             "The point of part 1 is to write the formula yourself: ((y_hat - y) ** 2).mean(). Then part 3 shows "
             "that the object gives the same number.", failure="used-library")
    if not isinstance(manual, torch.Tensor) or manual.grad_fn is None:
        fail("`manual_mse` has the right value but was not computed from the tensors y_hat and y: it carries no "
             "graph back to y_hat.",
             f"It is {describe(manual)}. Compute it with tensor operations, ((y_hat - y) ** 2).mean(), so that "
             "it stays a tensor a later backward() could start from (no .item(), no typed number).",
             failure="not-from-tensors")

    # 2. the object
    criterion = ex.get("criterion")
    if criterion is nn.MSELoss:
        fail("`criterion` is the class nn.MSELoss itself, not a loss object.",
             "Create the object by calling the class: criterion = nn.MSELoss(). Then call the object on data: "
             "criterion(y_hat, y).", failure="class-not-instance")
    if criterion is F.mse_loss:
        fail("`criterion` is the function F.mse_loss. It computes the same number, but this exercise is about the "
             "loss object: criterion = nn.MSELoss().", failure="functional-not-object")
    if not isinstance(criterion, nn.MSELoss):
        fail(f"`criterion` should be an nn.MSELoss object, but it is {describe(criterion)}.",
             "criterion = nn.MSELoss()", failure="wrong-loss")
    if criterion.reduction != "mean":
        fail(f"`criterion` was created with reduction={criterion.reduction!r}; the exercise asks for the default, "
             "'mean'.",
             "'sum' adds the squared errors (and scales every gradient by the number of samples); 'none' returns "
             "one loss per sample. MSE, the formula from part 1, is reduction='mean': nn.MSELoss().",
             failure="wrong-reduction", misconceptions=["reduction-is-cosmetic"])

    # 3. the object's number
    library = ex.get("library_mse")
    expect_close(_plain(library), right, name="library_mse", wrong=_mse_wrongs("library_mse", err))
    if "MseLoss" not in _node(library):
        fail("`library_mse` has the right value, but it did not come from the loss object.",
             "Compute it by calling the object: library_mse = criterion(y_hat, y).", failure="not-from-criterion")

    # 4. the flat target
    flat = ex.get("flat_mse")
    broadcast = float(((y_hat.detach() - y_flat) ** 2).mean())
    expect_close(_plain(flat), right, name="flat_mse", wrong=[
        Wrong(f"`flat_mse` compared y_hat (shape {list(y_hat.shape)}) with y_flat (shape {list(y_flat.shape)}) "
              f"as they are. They broadcast to [{y_hat.shape[0]}, {y_flat.shape[0]}]: every prediction was "
              "compared with every target, 25 errors instead of 5, and the number means nothing.",
              value=broadcast, failure="loss-broadcast",
              details=["PyTorch only warns about this (UserWarning: Using a target size ... different to the input "
                       "size). Reshape first: criterion(y_hat, y_flat.reshape(-1, 1)), or squeeze y_hat to [5]."]),
        *_mse_wrongs("flat_mse", err)[:1],
    ])

    # the object holds no state: call it on other data, then again
    criterion(torch.zeros(3, 1), torch.ones(3, 1))
    again = criterion(y_hat, y).item()
    return (f"Both ways give {right:.4f}: nn.MSELoss is the formula ((y_hat - y) ** 2).mean(), and called again after "
            f"other data it still gives {again:.4f}, because a loss object keeps no state. Matching shapes kept "
            "flat_mse honest.")

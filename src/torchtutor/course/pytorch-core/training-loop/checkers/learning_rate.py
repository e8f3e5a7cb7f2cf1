"""Checker for training-loop/learning-rate: a learning rate that crawls, one that converges, one that diverges."""

import math

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail

import _loop_verdicts as lv  # this lesson's line data and reference loop (checkers/_loop_verdicts.py)

EDGE = 1.0   # 2 / curvature; the MSE curves with 2 along the bias for this data (and 0.74 along the weight)


def _fit(lr, steps=50):
    """The exercise's fit(), run by the checker so that an edited copy cannot change the verdict."""
    model = lv.line_model(0.0, 0.0)
    return lv.reference_fit(model, torch.optim.SGD(model.parameters(), lr=lr), nn.MSELoss(), *lv.line_data(20), steps)


def _number(ex, name):
    value = ex.get(name)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"`{name}` should be a number (a learning rate), but it is {describe(value)}.", failure="not-a-number")
    value = float(value)
    if not math.isfinite(value):
        fail(f"`{name}` is {value}: a learning rate has to be a finite number.", failure="not-a-number")
    if value < 0:
        fail(f"`{name}` is negative ({value}). A negative learning rate steps *with* the gradient, uphill: that is "
             "gradient ascent, not a slow or a fast descent.",
             "Learning rates are positive; only their size changes the story.", failure="negative-lr")
    if value == 0:
        fail(f"`{name}` is 0: every step is lr * grad = 0, so nothing ever moves.", failure="zero-lr")
    return value


def _summary(losses):
    return f"loss {losses[0]:.4g} at step 0, {losses[-1]:.4g} at step 49"


def _diverged(losses):
    return not math.isfinite(losses[-1]) or losses[-1] > losses[0]


def check(ex):
    # crawl
    lr = _number(ex, "lr_crawl")
    losses = _fit(lr)
    if _diverged(losses):
        fail(f"lr_crawl = {lr} does not crawl, it diverges: {_summary(losses)}.",
             "A crawl is a learning rate so small that every step goes the right way but covers little ground. "
             "Go much smaller.", failure="not-a-crawl", misconceptions=["bigger-lr-is-faster"])
    if losses[-1] <= 0.25 * losses[0]:
        fail(f"lr_crawl = {lr} is not a crawl: {_summary(losses)}, already {losses[-1] / losses[0]:.0%} of where it "
             "started.", "A crawl still has more than a quarter of its starting loss after 50 steps. Try ten times "
             "smaller.", failure="not-a-crawl")

    # converge
    lr = _number(ex, "lr_good")
    losses = _fit(lr)
    if _diverged(losses):
        fail(f"lr_good = {lr} diverges: {_summary(losses)}. Each step jumps past the minimum and lands higher up the "
             "other side.", "Bigger steps are faster only until they overshoot by more than they gain. Go smaller.",
             failure="diverged", misconceptions=["bigger-lr-is-faster"])
    if losses[-1] >= 1e-3:
        if lr < 0.5:
            fail(f"lr_good = {lr} is going the right way, but too slowly: {_summary(losses)}; the target is below "
                 "0.001.", "Larger steps: try a learning rate ten times bigger.", failure="too-slow")
        fail(f"lr_good = {lr} converges, but it bounces: {_summary(losses)}, not yet below 0.001.",
             "Close to the edge each step overshoots the minimum, and the bounces shrink only slowly. "
             "Back off a little.", failure="too-bouncy")

    # diverge
    lr = _number(ex, "lr_diverge")
    losses = _fit(lr)
    if not _diverged(losses):
        if abs(lr - EDGE) < 1e-9:
            fail(f"lr_diverge = {lr} sits exactly on the edge: {_summary(losses)}. The bias jumps between two values "
                 "forever, so the loss neither shrinks nor grows.", "Go a little past it.", failure="on-the-edge")
        if lr > 0.5:
            fail(f"lr_diverge = {lr} overshoots, but each bounce is smaller than the last, so it still converges: "
                 f"{_summary(losses)}.", "Divergence starts where the overshoot grows from step to step. "
                 "Go further.", failure="still-converges")
        fail(f"lr_diverge = {lr} converges: {_summary(losses)}.", "Divergence needs steps so big that each one lands "
             "further from the minimum than the last. Try much larger.", failure="still-converges")

    # the edge
    edge = _number(ex, "edge")
    if abs(edge - EDGE) <= 0.05:
        return (f"Crawl, converge, diverge, and the edge at lr = {EDGE:.1f}: for this data the loss curves with 2 "
                "along the bias, and gradient descent overshoots for good once lr x curvature passes 2.")
    below, above = _fit(edge - 0.05), _fit(edge + 0.05)
    if not _diverged(above) and not _diverged(below):
        if abs(edge - 0.5) <= 0.05:
            fail(f"edge = {edge}: at 0.5 the loop converges fastest (the bias lands on its best value in one step). "
                 "The edge is where it stops converging at all, further out.", failure="fastest-not-edge")
        fail(f"edge = {edge} is too low: fit({edge + 0.05:g}) still converges ({_summary(above)}).",
             "Raise it until the loss at step 49 starts to exceed the loss at step 0.", failure="edge-too-low")
    if _diverged(below) and _diverged(above):
        if abs(edge - 2.0) <= 0.1:
            fail(f"edge = {edge}: that would be 2 / curvature for a curvature of 1. Along the bias the MSE curves "
                 "with 2 (the second derivative of mean((w*x + b - y)**2) with respect to b), so the edge is lower. "
                 f"fit({edge - 0.05:g}) already diverges.", failure="edge-too-high")
        if abs(edge - 2.71) <= 0.1:
            fail(f"edge = {edge} is the weight's own edge (its curvature is 0.74). The bias curves more, with 2, so "
                 "it runs away first; the first direction to go sets the edge.", failure="edge-too-high")
        fail(f"edge = {edge} is too high: fit({edge - 0.05:g}) already diverges ({_summary(below)}).",
             "Lower it until the loss at step 49 is just below the loss at step 0.", failure="edge-too-high")
    fail(f"edge = {edge} is close but not within 0.05.", "Narrow it down: try values 0.01 apart on either side.",
         failure="edge-imprecise")

"""Checker for autograd/inplace-repair.

Each function gets tensors that record; the checker calls backward() on the result
itself, so a value overwritten in place shows up here as the RuntimeError autograd
raises, and is explained with the version numbers PyTorch reports. Values, gradients
and the untouched input are then compared with references computed here.
"""

import re

import torch

from torchtutor.checks import describe, fail
from torchtutor.checks.api import learner_error, learner_frame


def _where(exc, ex):
    frame = learner_frame(exc, ex.file)
    return [f"line {frame.lineno}: {frame.line.strip()}"] if frame and frame.line else []


def _fmt(t):
    return "[" + ", ".join(f"{v + 0.0:.4g}" for v in t.detach().reshape(-1).tolist()) + "]"


def _call(ex, name, args, doing):
    ex.function(name)
    fn = ex.namespace[name]
    try:
        return fn(*args)
    except Exception as exc:
        if "leaf Variable that requires grad is being used in an in-place operation" in str(exc):
            fail(f"{doing} raised RuntimeError: an in-place operation on the tensor it was given, which records.",
                 *_where(exc, ex),
                 "z is a leaf with requires_grad=True: the caller's own tensor, perhaps a parameter. Overwriting it in "
                 "place would destroy the value the graph starts from (and change the caller's data behind their "
                 "back), so PyTorch refuses.",
                 "Compute a new tensor instead: z.clamp(min=0.0) (no underscore) or torch.relu(z).",
                 misconceptions=["inplace-is-free"], failure="inplace-on-leaf")
        raise learner_error(exc, ex.file, f"Calling {doing}") from None


def _backward(ex, out, name, doing):
    if not isinstance(out, torch.Tensor):
        fail(f"{doing} returned {describe(out)}; it should return a tensor.", failure="not-a-tensor")
    if not out.requires_grad:
        fail(f"{doing} returned a tensor that does not record (requires_grad=False), so no gradient can reach z.",
             "The repair snipped the result off the graph (.detach(), torch.no_grad(), or a new torch.tensor(...)). "
             "Only the in-place edit needed to change: its out-of-place twin keeps the recording.",
             misconceptions=["snipped-gradient-is-zero"], failure="detached-result")
    try:
        out.sum().backward()
    except RuntimeError as exc:
        text = str(exc)
        if "modified by an inplace operation" in text:
            m = re.search(r"output (\d+) of (\w+), is at version (\d+); expected version (\d+)", text)
            saved = ""
            if m:
                saved = (f" PyTorch's report: the output of {m.group(2)} that autograd saved is at version {m.group(3)}, "
                         f"but autograd expected version {m.group(4)}: something wrote into it after it was saved.")
            if name == "gate":
                why = ("To rewind sigmoid, autograd needs sigmoid's own output s, because the derivative is "
                       "s * (1 - s). So it saves s during the forward pass. `s *= scale` then wrote over that very "
                       "tensor, and the backward pass can no longer compute the right gradient.")
                fix = "Write the out-of-place form, which leaves s intact: return s * scale."
            else:
                why = ("Some operations save a tensor during the forward pass to compute their gradient later; an "
                       "in-place operation in your function wrote over one of them.")
                fix = "Replace the in-place operation (a method ending in _, or *=, +=) with its out-of-place twin."
            fail(f"backward() through `{name}` failed: a value autograd had saved was overwritten in place.",
                 why + saved,
                 "Notice that the error appears at backward(), long after the line that caused it. " + fix,
                 misconceptions=["inplace-is-free"], failure="inplace-autograd-conflict")
        raise learner_error(exc, ex.file, f"backward() through `{name}`") from None


def _check_gate(ex):
    z = torch.tensor([-1.0, 0.0, 0.5, 2.0], requires_grad=True)
    before = z.detach().clone()
    doing = "`gate(z, 3.0)`"
    out = _call(ex, "gate", (z, 3.0), doing)
    if out is None:
        fail(f"{doing} returned None: the function should return sigmoid(z) * scale.", failure="placeholder")
    want = torch.sigmoid(before) * 3.0
    if isinstance(out, torch.Tensor) and (out.shape != want.shape or not torch.allclose(out.detach(), want, atol=1e-5)):
        fail(f"{doing} returned {_fmt(out)}, but sigmoid(z) * 3 is {_fmt(want)}.",
             "Keep the computation the same; only the in-place edit should change.", failure="wrong-values")
    _backward(ex, out, "gate", doing)
    if not torch.equal(z.detach(), before):
        fail(f"{doing} changed the tensor it was given: z was {_fmt(before)} and is now {_fmt(z)}.",
             failure="input-modified")
    s = torch.sigmoid(before)
    want_grad = 3.0 * s * (1 - s)
    if z.grad is None or not torch.allclose(z.grad, want_grad, atol=1e-5):
        got = "None" if z.grad is None else _fmt(z.grad)
        fail(f"After backward() through {doing}, z.grad is {got}; it should be 3 * s * (1 - s) = {_fmt(want_grad)}.",
             failure="wrong-values")


def _check_energy(ex):
    z = torch.tensor([-1.0, 0.5, 2.0, -0.25], requires_grad=True)
    before = z.detach().clone()
    doing = "`positive_energy(z)`"
    out = _call(ex, "positive_energy", (z,), doing)
    if out is None:
        fail(f"{doing} returned None: the function should return the sum of max(z, 0) ** 2.", failure="placeholder")
    if not torch.equal(z.detach(), before):
        fail(f"{doing} changed the tensor it was given: z was {_fmt(before)} and is now {_fmt(z)}.",
             "The caller's tensor is theirs, often a parameter. Writing into it (through torch.no_grad() or .data, "
             "which PyTorch does not stop) silently changes their data. Compute a new tensor: "
             "z.clamp(min=0.0) or torch.relu(z).", misconceptions=["inplace-is-free"], failure="input-modified")
    want = (before.clamp(min=0.0) ** 2).sum()
    if isinstance(out, torch.Tensor) and (out.numel() != 1 or not torch.allclose(out.detach().reshape(()), want, atol=1e-5)):
        fail(f"{doing} returned {_fmt(out)}, but the sum of the positive entries squared is {want.item():.4g}.",
             "Negative entries count as 0; positive ones are squared; then everything is summed.",
             failure="wrong-values")
    _backward(ex, out, "positive_energy", doing)
    want_grad = 2 * before.clamp(min=0.0)
    if z.grad is None or not torch.allclose(z.grad, want_grad, atol=1e-5):
        got = "None" if z.grad is None else _fmt(z.grad)
        fail(f"After backward() through {doing}, z.grad is {got}; it should be 2 * max(z, 0) = {_fmt(want_grad)}.",
             failure="wrong-values")


def check(ex):
    _check_gate(ex)
    _check_energy(ex)
    return ("Both functions compute the same values as before and now survive backward(): sigmoid keeps the output "
            "it saved, and the caller's z is never written to.")

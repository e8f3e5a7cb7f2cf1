"""Checker for autograd/inplace-repair.

Each function gets tensors that record; the checker calls backward() on the result
itself, so a value overwritten in place shows up here as the RuntimeError autograd
raises, and is explained with the version numbers PyTorch reports. Values, gradients
and the untouched input are then compared with references computed here.
"""

import re

import torch
from torch.overrides import TorchFunctionMode

from torchtutor.checks import WrongError, describe, fail, known


def _fmt(t):
    return "[" + ", ".join(f"{v + 0.0:.4g}" for v in t.detach().reshape(-1).tolist()) + "]"


class _InplaceWrites(TorchFunctionMode):
    """Remembers the learner's lines that wrote in place into a tensor that records."""

    def __init__(self, ex):
        super().__init__()
        self.ex = ex
        self.lines = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        in_place = (name.endswith("_") and not name.startswith("_")) or name.startswith("__i")
        if in_place and args and isinstance(args[0], torch.Tensor) and args[0].requires_grad:
            line = self.ex.line()
            if line is not None and line not in self.lines:
                self.lines.append(line)
        return func(*args, **(kwargs or {}))


def _run_watching_writes(ex, name, args, doing):
    on_leaf = known("inplace-on-leaf", what=doing)
    with _InplaceWrites(ex) as writes:
        out = ex.call(name, *args, errors=[on_leaf], doing=f"Calling {doing}")
    return out, writes.lines


def _backward(ex, out, name, doing, writes):
    if not isinstance(out, torch.Tensor):
        fail(f"{doing} returned {describe(out)}; it should return a tensor.", failure="not-a-tensor")
    if not out.requires_grad:
        fail(f"{doing} returned a tensor that does not record (requires_grad=False), so no gradient can reach z.",
             "The repair snipped the result off the graph (.detach(), torch.no_grad(), or a new torch.tensor(...)). "
             "Only the in-place edit needed to change: its out-of-place twin keeps the recording.",
             misconceptions=["snipped-gradient-is-zero"], failure="detached-result")
    written = " and ".join(f"`{line.text}` (line {line.lineno})" for line in writes) or "an in-place operation"

    def saved_overwritten(exc):
        m = re.search(r"output (\d+) of (\w+), is at version (\d+); expected version (\d+)", str(exc))
        saved = ""
        if m:
            saved = (f" PyTorch's report: the output of {m.group(2)} that autograd saved is at version {m.group(3)}, "
                     f"but autograd expected version {m.group(4)}: something wrote into it after it was saved.")
        if name == "gate":
            why = ("To rewind sigmoid, autograd needs sigmoid's own output s, because the derivative is "
                   f"s * (1 - s). So it saves s during the forward pass. {written} then wrote over that very tensor, "
                   "and the backward pass can no longer compute the right gradient.")
        else:
            why = ("Some operations save a tensor during the forward pass to compute their gradient later; "
                   f"{written} in your function wrote over one of them.")
        return why + saved

    fix = ("Write the out-of-place form, which leaves s intact: return s * scale." if name == "gate" else
           "Replace the in-place operation (a method ending in _, or *=, +=) with its out-of-place twin.")
    try:
        out.sum().backward()
    except RuntimeError as exc:
        ex.fail_on(exc, f"backward() through `{name}`", [WrongError.catalogue(
            "inplace-autograd-conflict",
            f"backward() through `{name}` failed: a value autograd had saved was overwritten in place.",
            misconceptions=["inplace-is-free"], failure="inplace-autograd-conflict",
            details=[saved_overwritten(exc),
                     "Notice that the error appears at backward(), long after the line that caused it. " + fix])])


def _check_gate(ex):
    z = torch.tensor([-1.0, 0.0, 0.5, 2.0], requires_grad=True)
    before = z.detach().clone()
    doing = "`gate(z, 3.0)`"
    out, writes = _run_watching_writes(ex, "gate", (z, 3.0), doing)
    if out is None:
        fail(f"{doing} returned None: the function should return sigmoid(z) * scale.", failure="placeholder")
    want = torch.sigmoid(before) * 3.0
    if isinstance(out, torch.Tensor) and (out.shape != want.shape or not torch.allclose(out.detach(), want, atol=1e-5)):
        fail(f"{doing} returned {_fmt(out)}, but sigmoid(z) * 3 is {_fmt(want)}.",
             "Keep the computation the same; only the in-place edit should change.", failure="wrong-values")
    _backward(ex, out, "gate", doing, writes)
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
    out, writes = _run_watching_writes(ex, "positive_energy", (z,), doing)
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
    _backward(ex, out, "positive_energy", doing, writes)
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

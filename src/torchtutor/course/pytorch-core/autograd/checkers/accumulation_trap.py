"""Checker for autograd/accumulation-trap.

Starts from a w whose .grad is None, calls per_example_grads several times in a row on
three data sets (one with three identical examples, so that accumulation shows as 1x,
2x, 3x the single gradient), and compares each entry with the gradient of its example
alone. Running sums are reported with their numbers.
"""

import math

import torch

from torchtutor.checks import describe, fail, known

import _grad_errors  # this lesson's shared known errors (checkers/_grad_errors.py)

DATA = [
    ("the file's data", [1.0, 2.0, 3.0], [2.0, 2.0, 4.0]),
    ("the file's data, again", [1.0, 2.0, 3.0], [2.0, 2.0, 4.0]),
    ("three identical examples", [2.0, 2.0, 2.0], [1.0, 1.0, 1.0]),
    ("four other examples", [-1.0, 0.5, 2.0, 1.0], [0.0, 1.0, 1.0, -2.0]),
]


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-5)


def _all_close(xs, ys):
    return len(xs) == len(ys) and all(_close(a, b) for a, b in zip(xs, ys))


def _g(v):
    return f"{v + 0.0:g}"


def _listed(values):
    """Gradients as a learner reads them in a message: [4.0, -1.5, 0.0]."""
    return [float(_g(v)) for v in values]


def _errors(doing):
    return [
        _grad_errors.zero_none_grad(doing, "after you have read the gradient"),
        _grad_errors.tensor_zero_grad(doing),
        known("grad-set-to-number", what=doing),
    ]


def _grads_on(ex, xs, ys, label):
    doing = f"`per_example_grads` on {label}"
    return ex.call("per_example_grads", torch.tensor(xs), torch.tensor(ys), errors=_errors(doing),
                   doing=f"Calling {doing}")


def _numbers(got, label):
    if got is None:
        fail(f"`per_example_grads` returned None on {label}; it should return the list of gradients.",
             failure="placeholder")
    if not isinstance(got, (list, tuple)):
        fail(f"`per_example_grads` should return a list of numbers, but it returned {describe(got)}.",
             failure="wrong-type")
    tensors = [g for g in got if isinstance(g, torch.Tensor)]
    if len(tensors) > 1 and len({id(t) for t in tensors}) < len(tensors):
        fail("The list holds the same tensor several times: you appended w.grad itself.",
             "w.grad is one tensor that backward() and zero_() keep changing in place, so every entry of your list "
             "shows its latest state. Take a snapshot of the number instead: grads.append(w.grad.item()) "
             "(or w.grad.clone()).", failure="grad-aliased")
    values = []
    for g in got:
        if isinstance(g, torch.Tensor):
            if g.numel() != 1:
                fail(f"An entry of the list is {describe(g)}; each should be one number.", failure="not-scalar")
            g = float(g.detach().reshape(-1)[0])
        elif isinstance(g, bool) or not isinstance(g, (int, float)):
            fail(f"An entry of the list is {describe(g)}; each should be a number (w.grad.item()).",
                 failure="wrong-type")
        values.append(float(g))
    return values


def _running_sums(fresh, start=0.0):
    out, total = [], start
    for f in fresh:
        total += f
        out.append(total)
    return out


def _explain_running_sums(got, fresh, label):
    shown = f"`per_example_grads` on {label} returned {_listed(got)}"
    if all(_close(f, fresh[0]) for f in fresh):
        multiples = ", ".join(f"{_g(v)} = {i + 1}x {_g(fresh[0])}" for i, v in enumerate(got))
        detail = (f"Every example here is the same, so each gradient alone is {_g(fresh[0])}. Yours grow: "
                  f"{multiples}. Entry k is k times the gradient of one example.")
    else:
        sums = "; ".join(f"{_g(v)} = " + " + ".join(_g(f) for f in fresh[:i + 1])
                         for i, v in enumerate(got) if i > 0)
        detail = (f"Each example alone gives {_listed(fresh)}. Yours are running sums: {sums}.")
    fail(f"{shown}: the gradients pile up.", detail,
         "backward() adds each new gradient into w.grad; it never replaces what is there. That is right for fan-out "
         "inside one graph, and wrong here, where every example must start from a clean slate.",
         "Clear the tape before each backward(): w.grad = None (or w.grad.zero_() once a gradient exists).",
         misconceptions=["gradients-overwrite", "zero-grad-is-boilerplate"], failure="missing-zero-grad")


def check(ex):
    w = ex.get("w")
    if not isinstance(w, torch.Tensor) or not w.requires_grad or not w.is_leaf:
        fail(f"`w` should be the tensor from the starter, torch.tensor(1.5, requires_grad=True); it is {describe(w)}.",
             failure="wrong-type")
    w.grad = None                                     # a fresh w, as at the start of any training run
    leftover = 0.0
    for label, xs, ys in DATA:
        value = w.item()
        fresh = [2 * (value * x - y) * x for x, y in zip(xs, ys)]
        got = _numbers(_grads_on(ex, xs, ys, label), label)
        if not _close(w.item(), value):
            fail(f"`per_example_grads` changed w from {_g(value)} to {_g(w.item())}.",
                 "It should only measure gradients; updating the weight is a different exercise.",
                 misconceptions=["backward-updates-weights"], failure="w-changed")
        if len(got) != len(fresh):
            fail(f"`per_example_grads` on {label} returned {len(got)} numbers for {len(fresh)} examples.",
                 failure="wrong-length")
        if _all_close(got, fresh):
            leftover = fresh[-1]
            continue
        if all(_close(g, 0.0) for g in got):
            fail(f"`per_example_grads` on {label} returned all zeros; the gradients are {_listed(fresh)}.",
                 "You cleared w.grad after backward() and before reading it, so you read the cleared value. "
                 "The order is: clear, compute (backward), read.", failure="zeroed-too-early")
        if _all_close(got, _running_sums(fresh)):
            _explain_running_sums(got, fresh, label)
        if _all_close(got, [f + leftover for f in fresh]) or _all_close(got, _running_sums(fresh, leftover)):
            fail(f"`per_example_grads` on {label} returned {_listed(got)}; the gradients are "
                 f"{_listed(fresh)}.",
                 f"The difference, {_g(leftover)}, is the last gradient of the previous call, still sitting in w.grad. "
                 "backward() added to it. Clear w.grad before each backward(), not only between calls or at the end.",
                 misconceptions=["gradients-overwrite"], failure="missing-zero-grad")
        fail(f"`per_example_grads` on {label} returned {_listed(got)}, but the gradients of the "
             f"examples alone are {_listed(fresh)}.",
             "Each entry should be 2 * (w * x - y) * x for its own example. Keep the loss as the starter has it and "
             "only add the line that clears w.grad.", failure="wrong-values")
    return ("Every entry is the gradient of its own example, call after call: you clear the tape before each "
            "backward(), so nothing piles up.")

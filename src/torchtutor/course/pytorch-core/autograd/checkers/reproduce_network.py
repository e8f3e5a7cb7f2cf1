"""Checker for autograd/reproduce-network.

The learner's network_grads is compared with the hand chain rule (plain floats, the
seven steps of Series 1) at three points: the lesson's numbers, an input that switches
the ReLU off, and a general point. Known slips get their own verdicts: a parameter that
does not record, a missing ReLU, Python's max() in place of torch.relu, a loss without
the square, right numbers under the wrong names, and a hand-written derivative.
"""

import math

import torch

from torchtutor.checks import WrongError, describe, fail, known
from torchtutor.diagnose.loop_probe import BackwardCounter

NAMES = ("w1", "b1", "w2", "b2")
LESSON = (2.0, 1.0, 0.5, 0.1, -0.3, 0.2)         # the course's shared network
BLOCKED = (-1.0, 1.0, 0.5, 0.1, -0.3, 0.2)     # z1 = -0.4: the ReLU is off
GENERAL = (1.5, -0.5, 0.8, -0.2, 1.2, 0.3)


def hand(x, y, w1, b1, w2, b2, relu=True, square=True):
    """The seven chain-rule steps, incoming x local = outgoing, in plain floats."""
    z1 = w1 * x + b1
    h = max(0.0, z1) if relu else z1
    y_hat = w2 * h + b2
    d_yhat = 2 * (y_hat - y) if square else 1.0
    d_h = d_yhat * w2
    d_z1 = d_h * ((1.0 if z1 > 0 else 0.0) if relu else 1.0)
    return {"w1": d_z1 * x, "b1": d_z1, "w2": d_yhat * h, "b2": d_yhat}


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-5)


def _same(got, want):
    return all(_close(got[k], want[k]) for k in NAMES)


def _fmt(d):
    return "{" + ", ".join(f"{k}: {d[k] + 0.0:.4g}" for k in NAMES) + "}"   # + 0.0 turns -0 into 0


def _errors(ex, doing):
    def plain_hidden(exc):
        h = ex.locals_at(exc).get("h")
        return isinstance(h, (int, float)) and not isinstance(h, bool)

    def empty(exc):
        """(name, records) for the learner's parameters whose .grad was None when it raised."""
        local = ex.locals_at(exc)
        return [(n, local[n].requires_grad) for n in NAMES if isinstance(local.get(n), torch.Tensor)
                and local[n].grad is None]

    def silent(exc):
        return [n for n, records in empty(exc) if not records]

    def not_recording(exc):
        names = " and ".join(silent(exc))
        return f"{doing} crashed: {names}.grad is None, because {names} does not record."

    def none_read(exc):
        names = " and ".join(n for n, _ in empty(exc)) or "one of the parameters"
        return f"{doing} crashed: the .grad of {names} was None when you read it."

    none_item = r"NoneType.*item"
    return [
        WrongError(AttributeError, none_item, f"{doing} crashed: a gradient was None where it should be 0.0.",
                   when=plain_hidden, failure="python-max",
                   details=["h is a plain Python number here: max(0.0, z1) hands back the float 0.0 when the ReLU is "
                            "off, and a Python float has no history. The path from the loss back to w1 and b1 is "
                            "gone, so their .grad stays None.",
                            "torch.relu(z1) outputs a tensor that stays in the graph and sends back a gradient of 0."]),
        WrongError(AttributeError, none_item, not_recording, when=silent, failure="not-recording",
                   details=["backward() only fills .grad on leaves created with requires_grad=True. Make each "
                            "parameter the way w1 is made: torch.tensor(float(...), requires_grad=True)."]),
        WrongError(AttributeError, none_item, none_read, failure="not-recording",
                   details=["backward() only fills .grad on leaves that record and lie on a path to the loss. Check "
                            "that every parameter is made with requires_grad=True and is used in the forward pass."]),
        known("not-recording", "loss-accumulated-with-graph", "placeholder", what=doing),
    ]


def _gradients(ex, args, label):
    doing = f"`network_grads{args}` ({label})"
    with BackwardCounter() as backward:
        got = ex.call("network_grads", *args, errors=_errors(ex, doing), doing=f"Calling {doing}")
    return got, backward.calls


def _read(ex, args, label):
    got, backward_calls = _gradients(ex, args, label)
    if got is None:
        fail(f"`network_grads` returned None ({label}): replace the placeholders with your code.",
             "Finish the parameters, write the forward pass and the loss, call loss.backward(), and return a dict "
             "{\"w1\": w1.grad.item(), ...}.", failure="placeholder")
    if not isinstance(got, dict):
        fail(f"`network_grads` should return a dict with keys w1, b1, w2, b2, but it returned {describe(got)}.",
             failure="wrong-type")
    missing = [k for k in NAMES if k not in got]
    if missing:
        fail(f"The dict `network_grads` returned has no key {', '.join(repr(k) for k in missing)}.",
             f"It has {sorted(got, key=str)}; use exactly the names w1, b1, w2, b2.", failure="missing-key")
    values = {}
    for k in NAMES:
        v = got[k]
        if v is None:
            fail(f"dL/d{k} came back as None ({label}): {k} got no gradient.",
                 f"backward() fills .grad only on leaves that record. Make {k} with requires_grad=True, and use it in "
                 "the forward pass.", failure="grad-is-none")
        if isinstance(v, torch.Tensor):
            if v.numel() != 1:
                fail(f"dL/d{k} is {describe(v)}; it should be one number.", failure="not-scalar")
            v = float(v.detach().reshape(-1)[0])
        elif isinstance(v, bool) or not isinstance(v, (int, float)):
            fail(f"dL/d{k} should be a number (use .item()), but it is {describe(v)}.", failure="wrong-type")
        values[k] = float(v)
    return values, backward_calls


def _compare(ex, args, label):
    got, backward_calls = _read(ex, args, label)
    want = hand(*args)
    if _same(got, want):
        return got, backward_calls
    if args == BLOCKED and _same(got, hand(*args, relu=False)):
        fail(f"With the ReLU switched off (x = -1, so z1 = -0.4), you got {_fmt(got)}; "
             f"the right answer is {_fmt(want)}.",
             "Your forward pass has no ReLU: the hidden value went negative and the gradient kept flowing into w1 and "
             "b1. A ReLU that outputs 0 passes back a gradient of 0 (its local derivative is 0 where z1 < 0). "
             "Put h = torch.relu(z1) between the layers. (At the lesson's numbers z1 = 1.1 > 0, so the slip did not show.)",
             misconceptions=["pytorch-is-different-math"], failure="relu-missing")
    if _same(got, hand(*args, square=False)):
        fail(f"`network_grads{args}` ({label}) returned {_fmt(got)}: the gradients of y_hat - y, "
             "not of (y_hat - y) ** 2.",
             "The loss is the squared error. Its local derivative 2 * (y_hat - y) starts the whole chain; "
             "without the square every gradient is off by that factor.", failure="loss-not-squared")
    if sorted(got.values()) == sorted(want.values()) or all(
            any(_close(g, w) for w in want.values()) for g in got.values()):
        fail(f"`network_grads{args}` ({label}) returned {_fmt(got)}: the right numbers under the wrong names; "
             f"the right answer is {_fmt(want)}.",
             "Each key should hold the .grad of the parameter with that name: \"w1\": w1.grad.item(), and so on.",
             failure="wrong-names")
    worst = max(NAMES, key=lambda k: abs(got[k] - want[k]))
    fail(f"`network_grads{args}` ({label}) returned {_fmt(got)}, but the gradients are {_fmt(want)} "
         f"(dL/d{worst} differs most).",
         "Compare your forward pass with the network line by line: z1 = w1 * x + b1, h = relu(z1), "
         "y_hat = w2 * h + b2, loss = (y_hat - y) ** 2. `torchtutor widget autograd-explorer` shows every step.",
         failure="wrong-values")


def check(ex):
    got, _ = _compare(ex, LESSON, "the lesson's numbers")
    _compare(ex, BLOCKED, "ReLU switched off")
    _, backward_calls = _compare(ex, GENERAL, "other numbers")
    if backward_calls == 0:
        fail("The numbers are right, but network_grads never ran a backward pass: no loss.backward() happened "
             "while it worked them out.",
             "This exercise is about letting autograd walk the graph: build the loss from tensors that record and "
             "call loss.backward() once.", misconceptions=["backward-replaces-understanding"], failure="hand-derivative")
    return (f"Autograd's backward pass reproduces your seven hand steps: {_fmt(got)}. Same graph, same chain rule, "
            "same numbers, and a switched-off ReLU correctly sends back 0.")

"""AutogradExplorer: the course's two-layer network, backpropagated by hand and by torch.

The shared network of the course (the same one the learner traced by hand in Series 1)::

    h_pre = w1 * x + b1
    h     = relu(h_pre)
    y_hat = w2 * h + b2
    loss  = (y_hat - y) ** 2

Manual mode walks the chain rule one node at a time in plain Python floats; every step
reads ``incoming x local = outgoing``. Autograd mode builds the same network from torch
tensors and calls ``backward()`` once. Both results are always computed, so each
parameter carries a ``matches`` flag: the hand-computed gradient and torch's agree.
"""

from __future__ import annotations

import math

from .errors import WidgetError, finite

MODES = ("manual", "autograd")
PARAMETERS = ("w1", "b1", "w2", "b2")
MATCH_TOLERANCE = 1e-6

AUTOGRAD_CODE = """\
x, y = torch.tensor({x}), torch.tensor({y})
w1 = torch.tensor({w1}, requires_grad=True); b1 = torch.tensor({b1}, requires_grad=True)
w2 = torch.tensor({w2}, requires_grad=True); b2 = torch.tensor({b2}, requires_grad=True)
loss = (w2 * torch.relu(w1 * x + b1) + b2 - y) ** 2
loss.backward()                      # one call: every .grad is filled"""


def _step(name: str, incoming_name: str, incoming: float, local_name: str, local: float, note: str = "") -> dict:
    return {"name": name, "incoming_name": incoming_name, "incoming": incoming,
            "local_name": local_name, "local": local, "outgoing": incoming * local + 0.0, "note": note}  # + 0.0: no -0


def _manual(x: float, y: float, w1: float, b1: float, w2: float, b2: float) -> tuple[dict, list[dict], dict]:
    """Forward values, backward steps and gradients of the network, in plain floats."""
    h_pre = w1 * x + b1
    h = max(h_pre, 0.0)
    y_hat = w2 * h + b2
    loss = (y_hat - y) ** 2
    forward = {"x": x, "y": y, "h_pre": h_pre, "h": h, "y_hat": y_hat, "loss": loss}

    # ReLU's derivative: 1 where the input is positive, 0 elsewhere (torch uses 0 at exactly 0 too).
    relu_local = 1.0 if h_pre > 0 else 0.0
    if h_pre > 0:
        relu_note = f"h_pre = {h_pre:.4g} > 0, so ReLU passes the gradient through unchanged (local = 1)."
    elif h_pre == 0:
        relu_note = "h_pre = 0 exactly; ReLU's slope there is taken as 0 (torch's convention), so the gradient stops."
    else:
        relu_note = (f"h_pre = {h_pre:.4g} < 0, so ReLU outputs 0 and its local derivative is 0: "
                     "the gradient is blocked and w1, b1 get nothing from this example.")

    steps = [_step("dL/dloss", "start", 1.0, "seed", 1.0, "Backward starts at the loss with dL/dloss = 1.")]
    d_loss = steps[-1]["outgoing"]
    steps.append(_step("dL/dy_hat", "dL/dloss", d_loss, "dloss/dy_hat = 2(y_hat - y)", 2.0 * (y_hat - y)))
    d_yhat = steps[-1]["outgoing"]
    steps.append(_step("dL/dw2", "dL/dy_hat", d_yhat, "dy_hat/dw2 = h", h))
    steps.append(_step("dL/db2", "dL/dy_hat", d_yhat, "dy_hat/db2 = 1", 1.0))
    steps.append(_step("dL/dh", "dL/dy_hat", d_yhat, "dy_hat/dh = w2", w2))
    d_h = steps[-1]["outgoing"]
    steps.append(_step("dL/dh_pre", "dL/dh", d_h, "dh/dh_pre = relu'(h_pre)", relu_local, relu_note))
    d_hpre = steps[-1]["outgoing"]
    steps.append(_step("dL/dw1", "dL/dh_pre", d_hpre, "dh_pre/dw1 = x", x))
    steps.append(_step("dL/db1", "dL/dh_pre", d_hpre, "dh_pre/db1 = 1", 1.0))
    by_name = {s["name"]: s["outgoing"] for s in steps}
    grads = {name: by_name[f"dL/d{name}"] for name in PARAMETERS}
    return forward, steps, grads


def _torch_gradients(x: float, y: float, w1: float, b1: float, w2: float, b2: float) -> tuple[float, dict]:
    """The same network as float64 torch tensors; one ``backward()`` call."""
    import torch

    dtype = torch.float64
    xt, yt = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
    params = {name: torch.tensor(value, dtype=dtype, requires_grad=True)
              for name, value in zip(PARAMETERS, (w1, b1, w2, b2))}
    h = torch.relu(params["w1"] * xt + params["b1"])
    loss = (params["w2"] * h + params["b2"] - yt) ** 2
    loss.backward()
    grads = {}
    for name, tensor in params.items():
        # A parameter cut off from the loss (blocked ReLU) still gets a zero-filled grad here.
        grads[name] = tensor.grad.item() + 0.0 if tensor.grad is not None else 0.0
    return loss.item(), grads


def autograd_explorer(x: float = 2.0, y: float = 1.0, w1: float = 0.5, b1: float = 0.1,
                      w2: float = -0.3, b2: float = 0.2, mode: str = "manual") -> dict:
    """Backpropagate the course network by hand and with ``backward()``, and compare.

    Returns a JSON-serialisable dict with ``inputs``, ``forward`` (h_pre, h, y_hat, loss),
    ``steps`` (each ``{name, incoming_name, incoming, local_name, local, outgoing, note}``),
    ``manual`` and ``autograd`` gradients per parameter, ``matches`` per parameter (within
    1e-6), ``all_match``, ``relu_blocked``, ``code`` (the autograd version) and ``summary``.
    ``mode`` says which side a front end should lead with; both are always computed.
    """
    if mode not in MODES:
        raise WidgetError(f"mode must be one of {', '.join(MODES)}, not {mode!r}.")
    values = {name: finite(name, v) for name, v in
              (("x", x), ("y", y), ("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2))}
    forward, steps, manual = _manual(**values)
    torch_loss, torch_grads = _torch_gradients(**values)
    matches = {name: math.isclose(manual[name], torch_grads[name], rel_tol=MATCH_TOLERANCE, abs_tol=MATCH_TOLERANCE)
               for name in PARAMETERS}
    blocked = forward["h_pre"] <= 0
    all_match = all(matches.values())
    summary = ("Hand-computed chain rule and loss.backward() agree on every parameter."
               if all_match else "The hand-computed gradients and torch's disagree: " +
               ", ".join(n for n, ok in matches.items() if not ok) + ".")
    if blocked:
        summary += " ReLU is blocking this example (h_pre <= 0), so dL/dw1 and dL/db1 are 0 both ways."
    return {
        "widget": "autograd-explorer",
        "mode": mode,
        "inputs": values,
        "network": ["h_pre = w1*x + b1", "h = relu(h_pre)", "y_hat = w2*h + b2", "loss = (y_hat - y)**2"],
        "forward": forward,
        "steps": steps,
        "manual": manual,
        "autograd": torch_grads,
        "autograd_loss": torch_loss,
        "matches": matches,
        "all_match": all_match,
        "relu_blocked": blocked,
        "tolerance": MATCH_TOLERANCE,
        "code": AUTOGRAD_CODE.format(**values),
        "summary": summary,
    }

"""Softmax and cross-entropy explorer: type some logits and a correct class, see what the loss sees.

For one row of logits ``z`` and the index ``target`` of the correct class:

- softmax by hand, ``exp(z) / sum(exp(z))`` (computed stably, after subtracting the
  largest logit; the loss through log-softmax, so it stays finite for any logits), next to ``torch.softmax``;
- cross-entropy ``-log(p_target)`` next to ``nn.CrossEntropyLoss``, and the uniform
  loss ``log(C)`` of a model that knows nothing;
- the gradient of the loss with respect to the logits, from autograd, next to the
  formula ``p - one_hot(target)``: the correct class is pushed up by ``1 - p_target``,
  every other class down by its own probability;
- the classic slip, a softmax before the loss, and the floor ``log(1 + (C - 1) / e)``
  that loss can never go below;
- for two classes, ``softmax([a, b])[0] = sigmoid(a - b)``: sigmoid to softmax.
"""

from __future__ import annotations

import math

from .errors import WidgetError

MAX_CLASSES = 1000
MAX_ABS_LOGIT = 1e4
MATCH_TOLERANCE = 1e-6   # float64 throughout; a real mismatch is far larger


def _logits(logits) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in logits)
    except (TypeError, ValueError):
        raise WidgetError(f"logits must be numbers separated by commas, e.g. 2,1,0.1; not {logits!r}.") from None
    if not 2 <= len(values) <= MAX_CLASSES:
        raise WidgetError(f"logits needs between 2 and {MAX_CLASSES} numbers (one score per class), "
                          f"not {len(values)}.")
    if not all(math.isfinite(v) and abs(v) <= MAX_ABS_LOGIT for v in values):
        raise WidgetError(f"every logit must be a finite number between -{MAX_ABS_LOGIT:g} and {MAX_ABS_LOGIT:g}; "
                          f"got {logits!r}.")
    return values


def softmax_explorer(logits: tuple[float, ...] = (2.0, 1.0, 0.1), target: int = 0) -> dict:
    """Softmax, cross-entropy and its gradient for one row of ``logits`` whose correct class is ``target``.

    Returns a JSON-serialisable dict: ``logits``, ``target``, ``classes``,
    ``probabilities`` (by hand), ``torch_probabilities``, ``predicted`` and ``correct``,
    ``p_target``, ``loss`` (``-log p_target``), ``torch_loss`` (``nn.CrossEntropyLoss``),
    ``uniform_loss`` (``log C``), ``gradient`` (autograd) and ``gradient_formula``
    (``p - one_hot``), ``softmax_first`` (``{loss, floor}``: the slip), ``sigmoid``
    (two classes only: ``{p_first, sigmoid_of_gap}``), ``matches`` and ``summary``.
    """
    z = _logits(logits)
    try:
        target = int(target)
    except (TypeError, ValueError):
        raise WidgetError(f"target must be a whole number, the index of the correct class, not {target!r}.") from None
    classes = len(z)
    if not 0 <= target < classes:
        raise WidgetError(f"target must be a class index from 0 to {classes - 1} ({classes} logits given), "
                          f"not {target}.")

    top = max(z)
    exps = [math.exp(v - top) for v in z]              # shifting by the largest logit changes nothing, overflows never
    total = sum(exps)
    probs = [e / total for e in exps]
    p_target = probs[target]
    loss = top + math.log(total) - z[target]           # -log p_target via log-softmax: finite even when p underflows
    predicted = max(range(classes), key=lambda i: z[i])
    formula = [p - (1.0 if i == target else 0.0) for i, p in enumerate(probs)]

    import torch
    from torch import nn

    row = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    label = torch.tensor([target])
    torch_loss = nn.CrossEntropyLoss()(row, label)
    torch_loss.backward()
    torch_probs = torch.softmax(row.detach(), dim=1)[0].tolist()
    gradient = row.grad[0].tolist()
    with torch.no_grad():
        double = nn.CrossEntropyLoss()(torch.softmax(row, dim=1), label).item()
    floor = math.log(1 + (classes - 1) / math.e)

    matches = {
        "probabilities": max(abs(a - b) for a, b in zip(probs, torch_probs)) <= MATCH_TOLERANCE,
        "loss": abs(loss - torch_loss.item()) <= MATCH_TOLERANCE * max(1.0, loss),
        "gradient": max(abs(a - b) for a, b in zip(formula, gradient)) <= MATCH_TOLERANCE,
    }
    sigmoid = None
    if classes == 2:
        gap = z[0] - z[1]
        sigmoid = {"p_first": probs[0], "sigmoid_of_gap": 1 / (1 + math.exp(-gap)) if gap > -700 else 0.0}

    verdict = "right" if predicted == target else f"wrong (it picks class {predicted})"
    summary = (f"The model gives the correct class {target} a probability of {p_target:.4f}, so the cross-entropy "
               f"is -log({p_target:.4f}) = {loss:.4f} (nn.CrossEntropyLoss: {torch_loss.item():.4f}); a model that "
               f"knows nothing scores log({classes}) = {math.log(classes):.4f}. Its top class is {verdict}. "
               f"With a softmax before the loss the same logits would score {double:.4f}, and nothing can go below "
               f"{floor:.4f}.")
    return {
        "widget": "softmax-explorer",
        "logits": list(z),
        "target": target,
        "classes": classes,
        "probabilities": probs,
        "torch_probabilities": torch_probs,
        "predicted": predicted,
        "correct": predicted == target,
        "p_target": p_target,
        "loss": loss,
        "torch_loss": torch_loss.item(),
        "uniform_loss": math.log(classes),
        "gradient": gradient,
        "gradient_formula": formula,
        "softmax_first": {"loss": double, "floor": floor},
        "sigmoid": sigmoid,
        "matches": matches,
        "all_match": all(matches.values()),
        "summary": summary,
    }

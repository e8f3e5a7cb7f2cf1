"""Detach: block gradients, log losses, take snapshots: reference solution."""

import numpy as np
import torch


def frozen_hidden_grads(x, y, w1, b1, w2, b2):
    x, y = torch.tensor(float(x)), torch.tensor(float(y))
    params = {name: torch.tensor(float(v), requires_grad=True)
              for name, v in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2))}
    h = torch.relu(params["w1"] * x + params["b1"])
    y_hat = params["w2"] * h.detach() + params["b2"]      # snip the tape between the layers
    loss = (y_hat - y) ** 2
    loss.backward()
    # No path, no gradient: w1 and b1 keep .grad = None.
    return {name: (p.grad.item() if p.grad is not None else None) for name, p in params.items()}


def loss_history(losses):
    # detach: NumPy cannot hold history; cpu: NumPy reads CPU memory only; numpy: wrap it.
    return torch.stack(losses).detach().cpu().numpy()


def step_with_snapshot(w, lr):
    before = w.detach().clone()       # detach alone would share w's memory and follow the update
    with torch.no_grad():
        w -= lr * w.grad              # in place, unrecorded: w stays a leaf that records
    return before


if __name__ == "__main__":
    print(frozen_hidden_grads(2.0, 1.0, 0.5, 0.1, -0.3, 0.2))
    w = torch.tensor(3.0, requires_grad=True)
    print(loss_history([(w * k - 1) ** 2 for k in (1.0, 0.5, 0.25)]))
    (w ** 2).backward()
    print(step_with_snapshot(w, 0.1), w)

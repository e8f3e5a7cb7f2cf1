"""Detach: block gradients, log losses, take snapshots  (level: independent)

Three small functions, each about the tape and how to cut it.

1. `frozen_hidden_grads(x, y, w1, b1, w2, b2)`
   The lesson's two-layer network (z1 = w1 * x + b1, h = relu(z1),
   y_hat = w2 * h + b2, loss = (y_hat - y) ** 2), built from the six numbers it
   receives, but with the first layer frozen: snip the tape between the layers
   so that only w2 and b2 get gradients from loss.backward(). Return a dict
   {"w1": ..., "b1": ..., "w2": ..., "b2": ...} with each gradient as a float,
   or None where autograd produced no gradient at all.

2. `loss_history(losses)`
   `losses` is a list of one-number loss tensors, each still attached to its
   graph, and possibly on a GPU. Return their values as a 1-D NumPy array.

3. `step_with_snapshot(w, lr)`
   w is a parameter (requires_grad=True) whose .grad is already filled.
   Update w in place by one gradient-descent step (w minus lr times its
   gradient), and return `before`: a tensor that holds w's values from before
   the update and does not record. w must stay a leaf that records.

Done when: the checker calls frozen_hidden_grads with the lesson's numbers and
others; calls loss_history on recording CPU tensors and on stand-ins for GPU tensors
(NumPy refuses them, exactly as it refuses a CUDA tensor, until they have been
copied to the CPU), so it works without a GPU; and
calls step_with_snapshot on a scalar and on a vector parameter, then compares
`before` with the old values after the update has happened.
"""

import numpy as np
import torch


def frozen_hidden_grads(x, y, w1, b1, w2, b2):
    return None  # your code here


def loss_history(losses):
    return None  # your code here


def step_with_snapshot(w, lr):
    return None  # your code here


if __name__ == "__main__":
    print(frozen_hidden_grads(2.0, 1.0, 0.5, 0.1, -0.3, 0.2))
    w = torch.tensor(3.0, requires_grad=True)
    print(loss_history([(w * k - 1) ** 2 for k in (1.0, 0.5, 0.25)]))
    (w ** 2).backward()
    print(step_with_snapshot(w, 0.1), w)

"""A manual training step  (level: supported)

One step of gradient descent for the line y_hat = w * x + b, with autograd
doing the calculus. Write `train_step(w, b, x, y, lr)`:

1. forward: the predictions and the mean squared error loss
2. backward: fill w.grad and b.grad
3. update: move w and b against their gradients, scaled by lr, with the
   recording paused
4. clear: the gradients, so that the next call starts from zero

w and b are scalar tensors created with requires_grad=True; x and y are 1-D
tensors of the same length. Change w and b themselves: the caller keeps using
the same two tensors from one call to the next. Return this step's loss (the
one computed before the update) as a Python float.

Done when: the checker calls train_step on fresh parameters and compares w and
b after one step and after a second step (which shows whether the gradients were
cleared); w and b must still be leaf tensors that record. Then it calls your
function 200 times in a row on points of y = 2x + 1 and expects w near 2 and b
near 1.

Run this file (python manual_training_step.py) to watch five steps.
"""

import torch


def train_step(w, b, x, y, lr):
    return None  # your code here


if __name__ == "__main__":
    x = torch.linspace(-1, 1, 20)
    y = 2 * x + 1
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for step in range(5):
        loss = train_step(w, b, x, y, lr=0.1)
        print(f"step {step}: loss {loss}, w {w.item():.4f}, b {b.item():.4f}")

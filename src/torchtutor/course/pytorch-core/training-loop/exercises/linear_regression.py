"""Linear regression from scratch: y = 2x + 1                            (supported)

In Series 1 you fitted this line with NumPy and derivatives worked out by hand. Now
write the PyTorch version of the whole loop.

1. `train(model, optimizer, loss_fn, X, y, epochs)`: train `model` on the full batch
   (X, y) for `epochs` iterations. Each iteration is the heartbeat: clear the old
   gradients, forward, loss, backward, step. Return the list of losses, one Python
   float per epoch (`loss.item()`).

2. `build()`: return a fresh `(model, loss_fn, optimizer)` triple:
   - `model`: an nn.Linear with one input and one output;
   - `loss_fn`: an nn.MSELoss;
   - `optimizer`: torch.optim.SGD over that model's parameters, with a learning rate
     of your choice.
   And set `EPOCHS` to the number of epochs your settings need.

Done when: the checker's run of your `train` (on its own data, with its own model and
optimizer) clears, computes and uses the gradients in the right order at every step
and ends where a correct loop ends; and `train` on the data below, with what `build()`
returns and EPOCHS epochs, ends within 0.05 of w = 2, b = 1. Run this file to print
the fit.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.linspace(-1, 1, 32).reshape(-1, 1)          # 32 samples, 1 feature: shape [32, 1]
y = 2 * X + 1 + 0.05 * torch.randn(32, 1)              # the line, plus a little noise


def train(model, optimizer, loss_fn, X, y, epochs):
    losses = []
    # your code here: one iteration per epoch
    return losses


def build():
    return None  # your code here: (model, loss_fn, optimizer)


EPOCHS = None  # your code here


if __name__ == "__main__":
    model, loss_fn, optimizer = build()
    losses = train(model, optimizer, loss_fn, X, y, EPOCHS)
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    print(f"w = {model.weight.item():.3f}, b = {model.bias.item():.3f}")

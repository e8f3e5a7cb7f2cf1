"""A two-layer network on data no line can fit                           (independent)

The points below lie on a parabola, y = x**2, for x from -2 to 2. A straight line
cannot follow them: the best line is flat and misses by about 1.5 in mean squared
error. A small network with a hidden layer and a nonlinearity can.

Write two functions:

- `make_model()` returns a fresh, untrained nn.Module that maps a batch of shape
  [N, 1] to predictions of shape [N, 1]: one input, one hidden layer, one output,
  with a nonlinearity between the layers. Your choice of width and activation.
- `train(model, X, y)` trains that model in place on the full batch (X, y) and returns
  the list of per-epoch losses as floats. Your choice of loss (mean squared error is
  natural here), optimizer, learning rate and number of epochs; keep it under 2000
  full-batch steps so the check stays quick.

Everything you need is in this lesson and the nn-module lesson.

Done when: the checker builds a model with your make_model() (under its own random
seed), trains it with your train() on its own copy of this data, and the trained
model's mean squared error on that data is below 0.05; and the training loop clears,
computes and uses the gradients in order at every step.
"""

import torch
import torch.nn as nn

X = torch.linspace(-2, 2, 64).reshape(-1, 1)
y = X ** 2


def make_model():
    return None  # your code here


def train(model, X, y):
    return None  # your code here


if __name__ == "__main__":
    torch.manual_seed(0)
    model = make_model()
    losses = train(model, X, y)
    print(f"{len(losses)} epochs, loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    with torch.no_grad():
        for x in [-2.0, -1.0, 0.0, 0.5, 1.5]:
            print(f"x = {x:4}: predicted {model(torch.tensor([[x]])).item():7.3f}, true {x * x:6.3f}")

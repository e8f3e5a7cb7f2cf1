"""nn.MSELoss against a hand-written MSE                                (guided)

A loss object is not magic: nn.MSELoss() computes the same mean squared error you
wrote in NumPy in Series 1. Show it.

1. `manual_mse`: the mean squared error of `y_hat` against `y`, by hand, with tensor
   arithmetic only: square the errors, then average them. One number (a 0-d tensor).
2. `criterion`: an nn.MSELoss object. Create it once, with the default settings.
3. `library_mse`: the loss computed by calling `criterion(prediction, target)`.
4. Targets often arrive flat, with shape [5], while the model's predictions have
   shape [5, 1]. `y_flat` below is such a target. Compute `flat_mse`, the correct
   MSE of `y_hat` against `y_flat`, with `criterion`. Make the shapes agree first.

Done when: `manual_mse` and `library_mse` are the same single number, `manual_mse` is
computed by hand (not with the library), `criterion` is an nn.MSELoss with the default
reduction, and `flat_mse` is the same number too. Run this file to print them.
"""

import torch
import torch.nn as nn

# Predictions straight from a model: they carry a graph (requires_grad=True).
y_hat = torch.tensor([[2.5], [0.0], [2.1], [7.8], [-1.2]], requires_grad=True)   # shape [5, 1]
y = torch.tensor([[3.0], [-0.5], [2.0], [7.0], [-1.0]])                          # shape [5, 1]
y_flat = torch.tensor([3.0, -0.5, 2.0, 7.0, -1.0])                               # shape [5]

# 1. By hand: square the errors, then average.
manual_mse = None  # your code here

# 2. The loss object, created once.
criterion = None  # your code here

# 3. The same loss, computed by the object.
library_mse = None  # your code here

# 4. The flat target: make the shapes agree, then call criterion.
flat_mse = None  # your code here


if __name__ == "__main__":
    for name in ["manual_mse", "library_mse", "flat_mse"]:
        value = globals()[name]
        print(f"{name:12} {value}")

"""nn.MSELoss against a hand-written MSE: reference solution."""

import torch
import torch.nn as nn

y_hat = torch.tensor([[2.5], [0.0], [2.1], [7.8], [-1.2]], requires_grad=True)   # shape [5, 1]
y = torch.tensor([[3.0], [-0.5], [2.0], [7.0], [-1.0]])                          # shape [5, 1]
y_flat = torch.tensor([3.0, -0.5, 2.0, 7.0, -1.0])                               # shape [5]

# 1. By hand: square the errors, then average.
manual_mse = ((y_hat - y) ** 2).mean()

# 2. The loss object, created once.
criterion = nn.MSELoss()

# 3. The same loss, computed by the object.
library_mse = criterion(y_hat, y)

# 4. The flat target: make the shapes agree, then call criterion.
flat_mse = criterion(y_hat, y_flat.reshape(-1, 1))


if __name__ == "__main__":
    for name in ["manual_mse", "library_mse", "flat_mse"]:
        value = globals()[name]
        print(f"{name:12} {value}")

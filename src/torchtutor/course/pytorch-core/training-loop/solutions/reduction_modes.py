"""Reduction modes: 'mean', 'sum' and 'none': reference solution."""

import torch
import torch.nn as nn

x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
y = torch.tensor([2.5, 4.0, 6.5, 8.0, 9.5])
w = torch.tensor(1.0, requires_grad=True)

# 1. Three reductions of the same squared errors.
loss_mean = nn.MSELoss()(w * x, y)
loss_sum = nn.MSELoss(reduction="sum")(w * x, y)
per_sample = nn.MSELoss(reduction="none")(w * x, y)

# 2. Their gradients with respect to w (floats).
loss_mean.backward()
grad_mean = w.grad.item()
w.grad = None                      # start clean: .grad adds up otherwise
loss_sum.backward()
grad_sum = w.grad.item()
ratio = grad_sum / grad_mean       # the number of samples, 5


# 3. A weighted loss.
def weighted_mse(y_hat, y, weights):
    per_sample = nn.MSELoss(reduction="none")(y_hat, y)
    return (weights * per_sample).mean()     # reduce: backward() needs one number


if __name__ == "__main__":
    print("loss_mean ", loss_mean)
    print("loss_sum  ", loss_sum)
    print("per_sample", per_sample)
    print("grad_mean", grad_mean, " grad_sum", grad_sum, " ratio", ratio)
    print("weighted  ", weighted_mse(w * x, y, torch.tensor([1.0, 1.0, 2.0, 2.0, 0.5])))

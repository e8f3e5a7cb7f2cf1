"""Reduction modes: 'mean', 'sum' and 'none'                            (guided)

nn.MSELoss(reduction=...) decides how many squared errors become one number. The
choice changes the loss, and with it every gradient. Here the model is one weight,
w, predicting w * x.

1. The loss of w * x against y three ways:
   - `loss_mean` with nn.MSELoss() (reduction='mean', the default);
   - `loss_sum`  with nn.MSELoss(reduction="sum");
   - `per_sample` with nn.MSELoss(reduction="none"): one loss per sample, shape [5].

2. The gradient each reduction gives:
   - `grad_mean`: w.grad (as a float, .item()) after loss_mean.backward();
   - `grad_sum`:  w.grad after loss_sum.backward(), starting from a clean w.grad;
   - `ratio`:     grad_sum / grad_mean. Predict it before you run.

3. `weighted_mse(y_hat, y, weights)`: some samples matter more than others. Return the
   per-sample squared errors (reduction="none") multiplied by `weights`, then averaged
   over the samples: one number, ready for backward(). All three arguments have the
   same shape.

Done when: the three losses match what nn.MSELoss gives, the two gradients are the
gradients of those losses (each on its own), ratio is their quotient, and
weighted_mse returns a single number a backward() can start from. Run this file to
print your values.
"""

import torch
import torch.nn as nn

x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
y = torch.tensor([2.5, 4.0, 6.5, 8.0, 9.5])
w = torch.tensor(1.0, requires_grad=True)

# 1. Three reductions of the same squared errors.
loss_mean = None   # your code here
loss_sum = None    # your code here
per_sample = None  # your code here

# 2. Their gradients with respect to w (floats).
grad_mean = None   # your code here
grad_sum = None    # your code here
ratio = None       # your code here


# 3. A weighted loss.
def weighted_mse(y_hat, y, weights):
    return None  # your code here


if __name__ == "__main__":
    print("loss_mean ", loss_mean)
    print("loss_sum  ", loss_sum)
    print("per_sample", per_sample)
    print("grad_mean", grad_mean, " grad_sum", grad_sum, " ratio", ratio)
    print("weighted  ", weighted_mse(w * x, y, torch.tensor([1.0, 1.0, 2.0, 2.0, 0.5])))

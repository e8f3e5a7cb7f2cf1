"""Inside Adam's state_dict: exp_avg and exp_avg_sq by hand                (guided)

The script below trains a small model for three Adam steps and keeps the weight's
gradient of every step in `grads`.

Part 1: read the optimizer's memory. From `optimizer.state_dict()`, set
- `exp_avg`: the weight's running average of gradients (a tensor),
- `exp_avg_sq`: the weight's running average of squared gradients (a tensor),
- `steps`: how many steps Adam has counted for the weight (a number).
The weight is the first parameter of `model.parameters()`.

Part 2: compute the same two tensors yourself. Write `adam_moments(grads, betas)`:
given the list of gradients one parameter received, in order, return the pair
`(exp_avg, exp_avg_sq)` that Adam stores after those steps. Both averages start at
zero; beta1 weighs the old average of the gradients, beta2 the old average of their
squares.

Done when: part 1 matches the optimizer's own state, and `adam_moments` matches a
real torch.optim.Adam that the checker feeds gradients of its own, with betas of its
own.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(16, 3)
y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3

model = nn.Linear(3, 1)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
grads = []
for _ in range(3):
    optimizer.zero_grad()
    loss = nn.MSELoss()(model(X), y)
    loss.backward()
    grads.append(model.weight.grad.clone())
    optimizer.step()

# Part 1
exp_avg = None      # your code here
exp_avg_sq = None   # your code here
steps = None        # your code here


# Part 2
def adam_moments(grads, betas=(0.9, 0.999)):
    return None     # your code here


if __name__ == "__main__":
    print("from the optimizer:", exp_avg, exp_avg_sq, steps)
    print("by hand:           ", adam_moments(grads))

"""Inside Adam's state_dict: reference solution.

state_dict()["state"] is keyed by each parameter's position in model.parameters():
0 is the weight. exp_avg and exp_avg_sq are the raw running averages, without bias
correction: m = beta1 * m + (1 - beta1) * g and v = beta2 * v + (1 - beta2) * g**2.
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
weight_state = optimizer.state_dict()["state"][0]
exp_avg = weight_state["exp_avg"]
exp_avg_sq = weight_state["exp_avg_sq"]
steps = int(weight_state["step"])


# Part 2
def adam_moments(grads, betas=(0.9, 0.999)):
    beta1, beta2 = betas
    m = torch.zeros_like(grads[0])
    v = torch.zeros_like(grads[0])
    for g in grads:
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
    return m, v


if __name__ == "__main__":
    print("from the optimizer:", exp_avg, exp_avg_sq, steps)
    print("by hand:           ", adam_moments(grads))

# Source: pytorch/tutorials, beginner_source/examples_nn/polynomial_nn.py (current stored version)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (fit sin(x) with a third-order polynomial: x^(1,2,3) features, Sequential(Linear(3, 1), Flatten(0, 1)), MSELoss(reduction='sum'), model.zero_grad, backward, a hand-written update under torch.no_grad);
# no code was copied.
# Changes to run offline and fast: none needed (synthetic data in the original); 2000 iterations -> 300
import math

import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")
learning_rate = 1e-6
for t in range(300):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
linear = model[0]
print(f"y = {linear.bias.item()} + {linear.weight[:, 0].item()} x + {linear.weight[:, 1].item()} x^2 + {linear.weight[:, 2].item()} x^3")

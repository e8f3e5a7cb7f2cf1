# Source: pytorch/tutorials, beginner_source/examples_nn/polynomial_optim.py (current stored version)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (the same polynomial fit with torch.optim.RMSprop lr 1e-3, optimizer.zero_grad, backward, step);
# no code was copied.
# Changes to run offline and fast: none needed (synthetic data in the original); 2000 iterations -> 300
import math

import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for t in range(300):
    loss = loss_fn(model(xx), y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

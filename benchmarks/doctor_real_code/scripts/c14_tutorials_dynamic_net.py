# Source: pytorch/tutorials, beginner_source/examples_nn/dynamic_net.py (current stored version)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (a Module whose forward uses its parameter e a random 0-2 extra times (x^4, x^5 reuse one weight), MSELoss(reduction='sum'), SGD lr 1e-8 momentum 0.9);
# no code was copied.
# Changes to run offline and fast: none needed (synthetic data in the original); 30000 iterations -> 300
import math
import random

import torch


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y


random.seed(0)
torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
model = DynamicNet()
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
for t in range(300):
    loss = criterion(model(x), y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

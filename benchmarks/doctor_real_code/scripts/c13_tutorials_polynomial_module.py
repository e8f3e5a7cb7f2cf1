# Source: pytorch/tutorials, beginner_source/examples_nn/polynomial_module.py (current stored version)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (a custom Module holding four scalar nn.Parameters a, b, c, d, MSELoss(reduction='sum'), SGD lr 1e-6);
# no code was copied.
# Changes to run offline and fast: none needed (synthetic data in the original); 2000 iterations -> 300
import math

import torch


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3


x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
model = Polynomial3()
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
for t in range(300):
    loss = criterion(model(x), y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"Result: y = {model.a.item()} + {model.b.item()} x + {model.c.item()} x^2 + {model.d.item()} x^3")

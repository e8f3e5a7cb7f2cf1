# expect: loss-broadcast
"""Regression output [N, 1] against targets [N]: MSELoss broadcasts to [N, N]."""
import torch
import torch.nn as nn
from _data import regression

torch.manual_seed(0)
X, y = regression()
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.MSELoss()
for step in range(40):
    opt.zero_grad()
    loss = crit(model(X), y)
    loss.backward()
    opt.step()
print(loss.item())

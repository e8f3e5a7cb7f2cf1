# expect: missing-zero-grad, label-dtype
"""Trains without zero_grad, then crashes in a regression head on integer targets.
Findings from before the crash must still be reported."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(10):
    idx = torch.randint(0, 256, (32,))
    loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
    loss.backward()
    opt.step()
# a second head predicts the class number as a value, with integer targets
reg = nn.Linear(20, 1)
reg_opt = torch.optim.SGD(reg.parameters(), lr=0.01)
reg_loss = nn.functional.mse_loss(reg(X).squeeze(1), y)
reg_loss.backward()

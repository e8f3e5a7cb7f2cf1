# expect: missing-zero-grad, label-dtype
"""Trains without zero_grad, then crashes in a binary head fed integer targets.
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
# a second head answers "is it class 0?", but the targets stay integers
binary = nn.Linear(20, 1)
binary_opt = torch.optim.SGD(binary.parameters(), lr=0.01)
binary_loss = nn.BCEWithLogitsLoss()(binary(X).squeeze(1), (y == 0).long())
binary_loss.backward()

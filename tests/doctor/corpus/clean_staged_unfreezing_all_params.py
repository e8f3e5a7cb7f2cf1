# expect:
"""Staged unfreezing with every parameter in the optimizer from the start (frozen ones are skipped)."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)
model = nn.Sequential(nn.Linear(20, 48), nn.ReLU(), nn.Linear(48, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
model[0].requires_grad_(False)
for step in range(60):
    if step == 30:
        model[0].requires_grad_(True)
    idx = torch.randint(0, 256, (32,))
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
    loss.backward()
    opt.step()
print(loss.item())

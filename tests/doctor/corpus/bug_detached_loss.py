# expect: detached-loss
"""The loss is rebuilt from a Python number, so backward() reaches no parameter."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(20):
    idx = torch.randint(0, 256, (32,))
    opt.zero_grad()
    value = nn.functional.cross_entropy(model(X[idx]), y[idx]).item()
    loss = torch.tensor(value, requires_grad=True)
    loss.backward()
    opt.step()
print(loss.item())

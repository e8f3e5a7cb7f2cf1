# expect: step-before-backward
"""step() placed before backward() in the loop body: each update uses the previous batch's gradient."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(30):
    idx = torch.randint(0, 256, (32,))
    loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
    opt.step()
    opt.zero_grad()
    loss.backward()
print(loss.item())

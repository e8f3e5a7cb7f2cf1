# expect: eval-mode-missing
"""A BatchNorm model evaluated in training mode: test batches update the running statistics."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
model = nn.Sequential(nn.Linear(20, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(30):
    idx = torch.randint(0, 384, (32,))
    opt.zero_grad()
    nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
    opt.step()
with torch.no_grad():
    acc = sum((model(X[i:i + 32]).argmax(1) == y[i:i + 32]).sum().item() for i in range(384, 512, 32)) / 128
print(acc)

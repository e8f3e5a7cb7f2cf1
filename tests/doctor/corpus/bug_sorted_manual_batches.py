# expect: unshuffled-training-data
"""Hand-made mini-batches over data sorted by label, in the same order every epoch."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
order = y.argsort()
X, y = X[order], y[order]
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(2):
    for i in range(0, len(X), 32):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[i:i + 32]), y[i:i + 32])
        loss.backward()
        opt.step()
print(loss.item())

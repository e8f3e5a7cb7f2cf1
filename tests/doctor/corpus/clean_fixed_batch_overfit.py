# expect:
"""The sanity check of overfitting one batch: next(iter(loader)) once, then the same batch
every step. The loader does not shuffle, but with one batch the order cannot matter."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=False)
xb, yb = next(iter(loader))
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(60):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print("overfit loss", loss.item())

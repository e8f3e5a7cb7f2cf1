# expect: missing-zero-grad
"""The classic: no optimizer.zero_grad(), so gradients pile up across steps."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
crit = nn.CrossEntropyLoss()
for epoch in range(2):
    for xb, yb in loader:
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

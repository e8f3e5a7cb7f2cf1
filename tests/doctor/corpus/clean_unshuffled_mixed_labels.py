# expect:
# info: unshuffled-training-data
"""A training DataLoader without shuffle=True over data whose labels are already in a random
order (as in pytorch/tutorials' quickstart on Fashion-MNIST): the fixed order is a habit worth a
note, not a silent mistake, since every batch already mixes the classes."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=640, classes=5)
train = DataLoader(TensorDataset(X, y), batch_size=32)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 5))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(2):
    for xb, yb in train:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
print(loss.item())

# expect: train-mode-not-restored
"""Validation at the end of each epoch switches to eval(); the next epoch never calls train()."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
train = DataLoader(TensorDataset(X[:384], y[:384]), batch_size=32, shuffle=True)
val = DataLoader(TensorDataset(X[384:], y[384:]), batch_size=64)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)


def evaluate():
    model.eval()
    with torch.no_grad():
        return sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val) / 128


model.train()
for epoch in range(3):
    for xb, yb in train:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, evaluate())

# expect: eval-mode-missing
"""Evaluation under no_grad, but the model is never put in eval mode (dropout stays on)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
train = DataLoader(TensorDataset(X[:384], y[:384]), batch_size=32, shuffle=True)
test = DataLoader(TensorDataset(X[384:], y[384:]), batch_size=32)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.CrossEntropyLoss()
for epoch in range(2):
    for xb, yb in train:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
correct = 0
with torch.no_grad():
    for xb, yb in test:
        correct += (model(xb).argmax(1) == yb).sum().item()
print("test accuracy", correct / 128)

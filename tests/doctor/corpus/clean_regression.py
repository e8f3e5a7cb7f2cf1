# expect:
"""Regression with matching shapes, a shuffled loader, logging with .item() and evaluation."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import regression

torch.manual_seed(0)
X, y = regression(n=512)
train = DataLoader(TensorDataset(X[:384], y[:384].unsqueeze(1)), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.MSELoss()
history = []
for epoch in range(5):
    total = 0.0
    for xb, yb in train:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item()
    history.append(total / len(train))
model.eval()
with torch.no_grad():
    test_loss = crit(model(X[384:]), y[384:].unsqueeze(1)).item()
print(history, test_loss)

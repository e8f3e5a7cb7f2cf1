# expect:
"""A hard, imbalanced task (90/5/5) trained with inverse-frequency class weights: accuracy
near the share of the largest class is expected here, and the weighting itself says the
author knows about the imbalance."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
n = 2048
y = torch.zeros(n, dtype=torch.long)
y[torch.randperm(n)[: n // 10]] = 1
y[torch.randperm(n)[: n // 20]] = 2
X = torch.randn(n, 16) + 0.15 * nn.functional.one_hot(y, 16).float()
counts = torch.bincount(y, minlength=3).float()
weights = counts.sum() / (3 * counts)
loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss(weight=weights)
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

# expect:
"""An imbalanced but learnable problem (70/10/10/10): the loss drops well below the label entropy."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
n = 2048
X = torch.randn(n, 16)
score = X[:, 0] + 0.5 * X[:, 1]
y = torch.zeros(n, dtype=torch.long)
q = score.quantile(torch.tensor([0.7, 0.8, 0.9]))
y[score > q[0]] = 1
y[score > q[1]] = 2
y[score > q[2]] = 3
loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(4):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

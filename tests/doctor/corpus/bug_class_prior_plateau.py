# expect: class-prior-plateau
"""Features and labels shuffled independently by a data-loading bug: the model can only learn
how common each class is. The loss goes down, accuracy stays at the majority share."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
n = 2048
X = torch.randn(n, 16)
score = X[:, 0] + 0.5 * X[:, 1]
y = torch.zeros(n, dtype=torch.long)          # 70% class 0, 10% each of classes 1-3
q = score.quantile(torch.tensor([0.7, 0.8, 0.9]))
y[score > q[0]] = 1
y[score > q[1]] = 2
y[score > q[2]] = 3
y = y[torch.randperm(n)]                       # the bug: labels shuffled on their own
loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.05, weight_decay=1e-3)
for epoch in range(4):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

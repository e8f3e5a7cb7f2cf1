# expect: label-dtype
"""Labels kept as a column [N, 1] instead of a 1-D tensor [N]."""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(128, 6)
y = (X[:, :1] > 0).long()            # shape [128, 1]
model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(10):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X), y)
    loss.backward()
    opt.step()

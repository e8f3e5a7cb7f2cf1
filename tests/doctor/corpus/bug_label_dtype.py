# expect: label-dtype
"""Labels loaded as float32 (as from a CSV) and passed straight to CrossEntropyLoss."""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(128, 6)
y = (X[:, 0] > 0).float()            # class indices, but float
model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(10):
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(model(X), y)
    loss.backward()
    opt.step()

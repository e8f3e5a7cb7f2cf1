# expect: exploding-gradients
"""A learning rate far too large for unnormalised regression targets: the loss overflows."""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(256, 8) * 10
y = X.sum(1) * 50
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for step in range(60):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X).squeeze(1), y)
    loss.backward()
    opt.step()
print(loss.item())

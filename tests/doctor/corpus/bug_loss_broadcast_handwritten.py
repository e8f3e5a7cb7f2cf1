# expect: loss-broadcast
"""A hand-written Gaussian negative log-likelihood: mu and log_var are [B, 1], the target
is [B], so (y - mu) is [B, B] and every prediction is scored against every target."""
import torch
import torch.nn as nn
from _data import regression

torch.manual_seed(0)
X, y = regression()
net = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
for step in range(40):
    idx = torch.randperm(len(X))[:32]
    out = net(X[idx])
    mu, log_var = out[:, :1], out[:, 1:]
    loss = (0.5 * log_var + 0.5 * (y[idx] - mu) ** 2 / log_var.exp()).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())

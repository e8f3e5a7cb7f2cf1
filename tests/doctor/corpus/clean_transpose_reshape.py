# expect:
"""Sequences [N, T, F] turned into [N, F*T] correctly: transpose first, then reshape."""
import torch
import torch.nn as nn

torch.manual_seed(0)
N, T, F = 64, 12, 5
seq = torch.randn(N, T, F)
y = seq[:, :, 0].sum(1)
model = nn.Sequential(nn.Linear(F * T, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(40):
    x = seq.transpose(1, 2).reshape(N, F * T)     # [N, F, T] -> [N, F*T]
    x = x.contiguous().view(N, F * T)
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x).squeeze(1), y)
    loss.backward()
    opt.step()
print(loss.item())

# expect: loss-broadcast
"""Each window of 10 predictions is compared with one target of shape [1, 1]: MSELoss
broadcasts the single target against all ten (PyTorch only prints a UserWarning)."""
import torch
import torch.nn as nn

torch.manual_seed(0)
series = torch.sin(torch.linspace(0, 20, 400)) + 0.05 * torch.randn(400)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.MSELoss()
for step in range(40):
    start = int(torch.randint(0, 380, ()))
    windows = torch.stack([series[start + i: start + i + 8] for i in range(10)])   # [10, 8]
    target = series[start + 18].view(1, 1)                                       # [1, 1]
    opt.zero_grad()
    loss = crit(model(windows), target)
    loss.backward()
    opt.step()
print(loss.item())

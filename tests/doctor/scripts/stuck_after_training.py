"""Trains a few steps without zero_grad, then hangs in a pure-Python loop."""
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
X, y = torch.randn(64, 8), torch.randint(0, 2, (64,))
for step in range(10):
    loss = nn.functional.cross_entropy(model(X), y)
    loss.backward()
    opt.step()
print("training done, now waiting forever", flush=True)
n = 0
while True:
    n += 1

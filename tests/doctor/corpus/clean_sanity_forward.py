# expect:
"""A shape check on a dummy batch before training, then a correct loop with evaluation."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 4))
print("output shape:", model(torch.randn(2, 20)).shape)      # sanity check, before training
X, y = blobs()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(40):
    idx = torch.randperm(384)[:32]
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
    loss.backward()
    opt.step()
model.eval()
with torch.inference_mode():
    print("test accuracy", (model(X[384:]).argmax(1) == y[384:]).float().mean().item())

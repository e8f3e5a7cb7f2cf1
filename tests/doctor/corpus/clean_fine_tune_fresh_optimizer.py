# expect:
"""Pre-train a backbone, save its weights, then fine-tune a new model on another task with a fresh optimizer."""
import os
import tempfile

import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)
backbone = nn.Sequential(nn.Linear(20, 32), nn.ReLU())
pretrain = nn.Sequential(backbone, nn.Linear(32, 4))
opt = torch.optim.Adam(pretrain.parameters(), lr=1e-2)
for step in range(20):
    opt.zero_grad()
    nn.functional.cross_entropy(pretrain(X), y).backward()
    opt.step()
path = os.path.join(tempfile.mkdtemp(), "backbone.pt")
torch.save(backbone.state_dict(), path)

# new task: is the first feature positive?
new_backbone = nn.Sequential(nn.Linear(20, 32), nn.ReLU())
new_backbone.load_state_dict(torch.load(path, weights_only=True))
model = nn.Sequential(new_backbone, nn.Linear(32, 2))
target = (X[:, 0] > 0).long()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(20):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X), target)
    loss.backward()
    opt.step()
print(loss.item())

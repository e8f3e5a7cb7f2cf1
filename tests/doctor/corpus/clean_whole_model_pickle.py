# expect:
# info: whole-model-save
"""Saving the model object instead of its state_dict: a portability trade-off, reported once as a note."""
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
X, y = torch.randn(64, 4), torch.randn(64, 1)
for step in range(10):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    opt.step()
path = os.path.join(tempfile.mkdtemp(), "model.pt")
torch.save(model, path)
reloaded = torch.load(path, weights_only=False)   # the load of the same pickle is not a second finding
print("saved", os.path.getsize(path), "bytes")

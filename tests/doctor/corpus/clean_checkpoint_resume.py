# expect:
"""Checkpoint with model and optimizer state; resuming restores both."""
import os
import tempfile

import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)


def make():
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))


def train(model, opt, steps):
    for _ in range(steps):
        idx = torch.randint(0, 256, (32,))
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
    return loss.item()


ckpt = os.path.join(tempfile.mkdtemp(), "checkpoint.pt")
model = make()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
train(model, opt, 20)
torch.save({"epoch": 1, "model": model.state_dict(), "optimizer": opt.state_dict()}, ckpt)

state = torch.load(ckpt)
model = make()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
model.load_state_dict(state["model"])
opt.load_state_dict(state["optimizer"])
print("resumed", train(model, opt, 20))

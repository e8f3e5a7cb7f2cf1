# expect: non-scalar-backward
"""reduction='none' gives one loss per sample; backward() on it fails."""
import torch
import torch.nn as nn
from _data import blobs

X, y = blobs(n=128)
model = nn.Linear(20, 4)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
crit = nn.CrossEntropyLoss(reduction="none")
for step in range(3):
    opt.zero_grad()
    loss = crit(model(X), y)
    loss.backward()
    opt.step()

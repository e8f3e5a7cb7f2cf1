# expect: all-parameters-frozen
"""Fine-tuning: a new head is attached first and the freezing loop runs afterwards, so the
head is frozen too. backward() then raises, because no tensor in the graph requires grad."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
backbone = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
model = nn.Sequential(backbone, nn.Linear(32, 4))
for p in model.parameters():
    p.requires_grad = False
opt = torch.optim.Adam(model[1].parameters(), lr=1e-3)
for step in range(5):
    opt.zero_grad()
    loss = F.cross_entropy(model(X[:32]), y[:32])
    loss.backward()
    opt.step()

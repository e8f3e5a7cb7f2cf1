# expect:
"""The same cosine classifier with the log-scale given to the optimizer too."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
encoder = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16))
prototypes = nn.Linear(16, 4, bias=False)
model = nn.ModuleDict({"encoder": encoder, "prototypes": prototypes})
log_scale = torch.zeros((), requires_grad=True)
opt = torch.optim.Adam(list(model.parameters()) + [log_scale], lr=1e-2)
for step in range(40):
    idx = torch.randperm(len(X))[:32]
    z = F.normalize(encoder(X[idx]), dim=1)
    w = F.normalize(prototypes.weight, dim=1)
    logits = log_scale.exp() * 10 * z @ w.t()
    loss = F.cross_entropy(logits, y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item(), log_scale.item())

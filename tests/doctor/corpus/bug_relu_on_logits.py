# expect: activation-on-logits
"""The classifier ends in a ReLU, and its output goes to CrossEntropyLoss: every negative
score is clipped to 0, so the model cannot push a wrong class below the right one."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4), nn.ReLU())
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
print(loss.item())

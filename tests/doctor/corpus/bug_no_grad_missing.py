# expect: no-grad-missing
"""model.eval() is called, but the validation loop builds autograd graphs (no torch.no_grad())."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
train = DataLoader(TensorDataset(X[:384], y[:384]), batch_size=32, shuffle=True)
val = DataLoader(TensorDataset(X[384:], y[384:]), batch_size=32)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.CrossEntropyLoss()
for epoch in range(3):
    model.train()
    for xb, yb in train:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    val_loss = 0.0
    for xb, yb in val:
        val_loss += crit(model(xb), yb).item()
    print(epoch, val_loss / len(val))

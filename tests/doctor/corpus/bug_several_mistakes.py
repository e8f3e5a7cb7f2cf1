# expect: missing-zero-grad, eval-mode-missing
"""Two mistakes in one script: no zero_grad and no eval() for testing (plus a pickled model, a note)."""
import os
import tempfile

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
train = DataLoader(TensorDataset(X[:384], y[:384]), batch_size=32, shuffle=True)
test = DataLoader(TensorDataset(X[384:], y[384:]), batch_size=32)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(2):
    for xb, yb in train:
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
with torch.no_grad():
    acc = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in test) / 128
print("accuracy", acc)
torch.save(model, os.path.join(tempfile.mkdtemp(), "model.pt"))

"""Many epochs over a DataLoader, with an evaluation at the end that forgets model.eval().
Used to check that --max-steps and --max-seconds cut training short and still let the
evaluation run. Arguments: EPOCHS [SECONDS_PER_BATCH]."""
import sys
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)     # steady timing on a shared machine
X = torch.randn(1024, 20)
y = (X[:, 0] > 0).long()
train = DataLoader(TensorDataset(X[:768], y[:768]), batch_size=16, shuffle=True)
test = DataLoader(TensorDataset(X[768:], y[768:]), batch_size=64)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 500
pause = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0     # stands in for a heavier model
for epoch in range(epochs):
    for xb, yb in train:
        time.sleep(pause)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
with torch.no_grad():
    correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in test)
print("accuracy", correct / 256)

# Classify rows of a (synthetic) CSV table: 8 feature columns, label in the last column.
import io

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
feats = rng.normal(size=(900, 8))
label = (feats[:, 0] + feats[:, 1] > 0).astype(int) + (feats[:, 2] > 0.8).astype(int)
buf = io.StringIO()
np.savetxt(buf, np.column_stack([feats, label]), delimiter=",", fmt="%.5f")
buf.seek(0)

table = np.loadtxt(buf, delimiter=",")
X = torch.tensor(table[:, :-1], dtype=torch.float32)
y = torch.tensor(table[:, -1:], dtype=torch.long)
loader = DataLoader(TensorDataset(X, y), batch_size=30, shuffle=True)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

for epoch in range(4):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")

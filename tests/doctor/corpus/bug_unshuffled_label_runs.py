# expect: unshuffled-training-data
"""Data collected class by class (each class a block of 128 samples, the blocks in no
particular class order), loaded without shuffle=True: not sorted by label, but every batch
holds one class and the model sees the classes one after another."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=2000, classes=4)
blocks = [X[y == c][:128] for c in (2, 0, 3, 1)]
labels = torch.cat([torch.full((128,), c) for c in (2, 0, 3, 1)])
train = DataLoader(TensorDataset(torch.cat(blocks), labels), batch_size=32)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(2):
    for xb, yb in train:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
print(loss.item())

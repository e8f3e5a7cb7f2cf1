# expect:
"""Channels-last images permuted correctly; a small CNN with BatchNorm, eval() and no_grad()."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
images = torch.rand(192, 12, 12, 3)
labels = (images[..., 0].mean((1, 2)) > 0.5).long()
x_all = images.permute(0, 3, 1, 2).contiguous()       # [N, C, H, W]
train = DataLoader(TensorDataset(x_all[:128], labels[:128]), batch_size=32, shuffle=True)
test = DataLoader(TensorDataset(x_all[128:], labels[128:]), batch_size=32)
model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                      nn.Flatten(), nn.Linear(8, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(3):
    model.train()
    for xb, yb in train:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in test) / 64
    print(epoch, acc)

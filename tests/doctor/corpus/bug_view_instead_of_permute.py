# expect: view-instead-of-permute
"""Channels-last images [N, H, W, C] reshaped with view() into [N, C, H, W]."""
import torch
import torch.nn as nn

torch.manual_seed(0)
images = torch.rand(64, 12, 12, 3)         # as loaded from PIL/numpy: height, width, channels
labels = torch.randint(0, 3, (64,))
model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                      nn.Linear(8, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(10):
    x = images.view(64, 3, 12, 12)          # wrong: scrambles pixels across channels
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(x), labels)
    loss.backward()
    opt.step()
print(loss.item())

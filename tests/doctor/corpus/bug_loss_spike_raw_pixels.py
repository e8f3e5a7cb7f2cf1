# expect: exploding-gradients
"""Images fed as raw 0-255 pixel values: the first updates are huge, and one step throws the
loss up far above its neighbours before Adam's step sizes settle."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
n = 1024
labels = torch.randint(0, 10, (n,))
images = (torch.rand(n, 1, 28, 28) * 60 + labels.view(-1, 1, 1, 1) * 19).clamp(0, 255).round()
loader = DataLoader(TensorDataset(images, labels), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(2):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

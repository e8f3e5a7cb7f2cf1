"""Mixup training: inputs and one-hot labels are blended, the loss takes probabilities."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


def mixup(x, y, n_classes, alpha=0.4):
    lam = torch.distributions.Beta(alpha, alpha).sample().item()
    perm = torch.randperm(x.size(0))
    x_mix = lam * x + (1 - lam) * x[perm]
    y_onehot = F.one_hot(y, n_classes).float()
    y_mix = lam * y_onehot + (1 - lam) * y_onehot[perm]
    return x_mix, y_mix


torch.manual_seed(0)
labels = torch.randint(0, 3, (600,))
images = torch.randn(600, 1, 12, 12)
for c in range(3):
    images[labels == c, 0, 4 * c:4 * c + 4] += 2.0   # a bright horizontal band per class
loader = DataLoader(TensorDataset(images, labels), batch_size=50, shuffle=True)

model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

for epoch in range(6):
    model.train()
    for xb, yb in loader:
        xm, ym = mixup(xb, yb, 3)
        optimizer.zero_grad()
        loss = criterion(model(xm), ym)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(images).argmax(1) == labels).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item():.3f} acc {acc:.3f}")

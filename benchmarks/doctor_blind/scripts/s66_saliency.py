"""Train a CNN, then compute input-gradient saliency maps for a few test images."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make(n, seed):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 1, 12, 12, generator=g)
    x[y == 1, 0, 2:6, 2:6] += 1.5
    x[y == 0, 0, 6:10, 6:10] += 1.5
    return x, y


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                               nn.Flatten(), nn.Dropout(0.2), nn.Linear(16, 2))

    def forward(self, x):
        return self.f(x)


def train(model, loader):
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(3):
        model.train()
        for x, y in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        print(f"epoch {epoch}: {loss.item():.3f}")


def saliency(model, images, labels):
    model.eval()
    images = images.clone().requires_grad_(True)
    scores = model(images)
    scores.gather(1, labels.view(-1, 1)).sum().backward()
    return images.grad.abs().amax(dim=1)


if __name__ == "__main__":
    torch.manual_seed(0)
    x, y = make(512, 1)
    model = Net()
    train(model, DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True))
    tx, ty = make(8, 2)
    maps = saliency(model, tx, ty)
    top_left = maps[:, 2:6, 2:6].mean(1).mean(1)
    centre = maps[:, 6:10, 6:10].mean(1).mean(1)
    for lbl, a, b in zip(ty.tolist(), top_left.tolist(), centre.tolist()):
        print(f"label {lbl}: saliency top-left {a:.4f} centre {b:.4f}")

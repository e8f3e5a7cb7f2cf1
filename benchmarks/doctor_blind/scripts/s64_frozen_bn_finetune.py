"""Fine-tune a head on top of a frozen CNN backbone whose BatchNorm stays in eval mode."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                                 nn.MaxPool2d(2),
                                 nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                                 nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, x):
        return self.net(x)


class FineTuner(nn.Module):
    def __init__(self, backbone, n_classes):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(32, n_classes))

    def forward(self, x):
        return self.head(self.backbone(x))

    def train(self, mode=True):
        super().train(mode)
        self.backbone.eval()          # keep the pretrained BN statistics fixed
        return self


def pretrain_backbone(backbone, x, y, epochs=3):
    head = nn.Linear(32, 2)
    opt = torch.optim.Adam(list(backbone.parameters()) + list(head.parameters()), lr=2e-3)
    backbone.train()
    for _ in range(epochs):
        for i in range(0, len(x), 32):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(head(backbone(x[i:i + 32])), y[i:i + 32])
            loss.backward()
            opt.step()


def main():
    torch.manual_seed(0)
    xa = torch.randn(1024, 3, 12, 12)
    ya = (xa[:, 0].mean((1, 2)) + xa[:, 1].mean((1, 2)) > 0).long()   # source task
    backbone = Backbone()
    pretrain_backbone(backbone, xa, ya)
    for p in backbone.parameters():
        p.requires_grad_(False)

    xb = torch.randn(480, 3, 12, 12)
    score = xb[:, 0].mean((1, 2)) + xb[:, 1].mean((1, 2))          # target task: 3 bands
    yb = (score > -0.1).long() + (score > 0.1).long()
    train_loader = DataLoader(TensorDataset(xb[:400], yb[:400]), batch_size=32, shuffle=True)
    val_x, val_y = xb[400:], yb[400:]

    model = FineTuner(backbone, n_classes=3)
    optimizer = torch.optim.Adam(model.head.parameters(), lr=3e-3)
    for epoch in range(6):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = (model(val_x).argmax(1) == val_y).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f} val acc {acc:.3f}")


if __name__ == "__main__":
    main()

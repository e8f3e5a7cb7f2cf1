"""Pretrain a small CNN on task A, then fine-tune only a new head on task B."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class SmallCNN(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
        )
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


def fit(model, loader, optimizer, epochs):
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"  epoch {epoch}: {loss.item():.3f}")


def main():
    torch.manual_seed(0)
    xa = torch.randn(256, 1, 12, 12)
    ya = (xa[:, 0, :6].mean((1, 2)) > xa[:, 0, 6:].mean((1, 2))).long()
    xb = torch.randn(256, 1, 12, 12)
    yb = (xb[:, 0, :, :6].mean((1, 2)) > 0).long() + (xb[:, 0, :, 6:].mean((1, 2)) > 0).long()

    print("pretraining")
    model = SmallCNN(n_classes=2)
    fit(model, DataLoader(TensorDataset(xa, ya), batch_size=32, shuffle=True),
        torch.optim.Adam(model.parameters(), lr=1e-3), epochs=2)

    print("fine-tuning")
    model.fc = nn.Linear(64, 3)
    for param in model.parameters():
        param.requires_grad = False
    optimizer = torch.optim.Adam(model.fc.parameters(), lr=1e-3)
    fit(model, DataLoader(TensorDataset(xb, yb), batch_size=32, shuffle=True), optimizer, epochs=2)


if __name__ == "__main__":
    main()

"""CNN whose classifier adapts to whatever image size it is given."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class FlexibleCNN(nn.Module):
    def __init__(self, num_classes=3):
        super().__init__()
        self.num_classes = num_classes
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        classifier = nn.Linear(x.shape[1], self.num_classes)
        return classifier(x)


def main():
    torch.manual_seed(0)
    images = torch.randn(384, 3, 20, 20)
    labels = images[:, :, :10, :].mean((1, 2, 3)).gt(0).long() + images[:, 0].mean((1, 2)).gt(0.05).long()
    loader = DataLoader(TensorDataset(images, labels), batch_size=32, shuffle=True)
    model = FlexibleCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.3f}")


if __name__ == "__main__":
    main()

"""Image classifier trained with a Trainer that also tracks accuracy."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class ConvClassifier(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(16, n_classes)

    def forward(self, x):
        return self.head(self.body(x).flatten(1))


class Trainer:
    def __init__(self, model, train_loader, val_loader):
        self.model = model
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

    def step(self, x, y):
        self.optimizer.zero_grad()
        logits = self.model.forward(x)
        loss = self.criterion(logits, y)
        loss.backward()
        self.optimizer.step()
        return loss.item(), (logits.argmax(1) == y).float().mean().item()

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        correct = total = 0
        for x, y in self.val_loader:
            correct += (self.model(x).argmax(1) == y).sum().item()
            total += len(y)
        return correct / total

    def fit(self, epochs):
        for epoch in range(epochs):
            self.model.train()
            stats = [self.step(x, y) for x, y in self.train_loader]
            acc = self.evaluate()
            print(f"epoch {epoch}: loss {stats[-1][0]:.3f} val {acc:.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(640, 1, 12, 12)
    y = torch.stack([x[:, 0, :6, :6].mean((1, 2)), x[:, 0, :6, 6:].mean((1, 2)),
                     x[:, 0, 6:, :6].mean((1, 2)), x[:, 0, 6:, 6:].mean((1, 2))], 1).argmax(1)
    tr = DataLoader(TensorDataset(x[:512], y[:512]), batch_size=32, shuffle=True)
    va = DataLoader(TensorDataset(x[512:], y[512:]), batch_size=128)
    Trainer(ConvClassifier(), tr, va).fit(3)

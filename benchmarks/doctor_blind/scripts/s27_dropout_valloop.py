"""MLP with dropout; validation inside the epoch loop."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class DropoutMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Dropout(0.5),
                                 nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.5),
                                 nn.Linear(128, 3))

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
    return correct / len(loader.dataset)


def main():
    torch.manual_seed(0)
    x = torch.randn(2500, 20)
    y = ((x[:, 0] > 0).long() + (x[:, 1] + x[:, 2] > 0.5).long())
    train_loader = DataLoader(TensorDataset(x[:2000], y[:2000]), batch_size=50, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[2000:], y[2000:]), batch_size=250)

    model = DropoutMLP()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()

    model.train()
    for epoch in range(5):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        acc = evaluate(model, val_loader)
        print(f"epoch {epoch}: loss {loss.item():.3f} val_acc {acc:.3f}")


if __name__ == "__main__":
    main()

"""Train/evaluate helpers shared between experiments."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


@torch.no_grad()
def evaluate(model, loader, criterion):
    model.eval()
    total = 0.0
    for x, y in loader:
        total += criterion(model(x), y).item() * len(x)
    return total / len(loader.dataset)


@torch.no_grad()
def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
    return total / len(loader.dataset)


def main():
    torch.manual_seed(0)
    x = torch.randn(1000, 8)
    y = x[:, :2].sum(1, keepdim=True) - x[:, 2:3] ** 2
    train_loader = DataLoader(TensorDataset(x[:800], y[:800]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[800:], y[800:]), batch_size=100)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(3):
        tr = train_one_epoch(model, train_loader, criterion, optimizer)
        va = evaluate(model, val_loader, criterion)
        print(f"epoch {epoch}: train {tr:.4f} val {va:.4f}")


if __name__ == "__main__":
    main()

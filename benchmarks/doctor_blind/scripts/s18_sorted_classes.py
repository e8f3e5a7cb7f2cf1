"""Gaussian-mixture classifier; the data is generated one class at a time."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def generate(per_class=400, n_classes=4, dim=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    for c in range(n_classes):
        center = torch.randn(dim, generator=g) * 2
        xs.append(center + torch.randn(per_class, dim, generator=g))
        ys.append(torch.full((per_class,), c, dtype=torch.long))
    return TensorDataset(torch.cat(xs), torch.cat(ys))


def train(model, loader, optimizer, criterion, epochs):
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: last batch loss {loss.item():.4f}")


def main():
    torch.manual_seed(0)
    train_set = generate()
    train_loader = DataLoader(train_set, batch_size=64)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train(model, train_loader, optimizer, nn.CrossEntropyLoss(), epochs=5)


if __name__ == "__main__":
    main()

"""Reuse a pretrained encoder for a new 5-class task by swapping its classifier."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.classifier = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.classifier(self.encoder(x))


def pretrain(seed=0):
    torch.manual_seed(seed)
    model = Net(n_classes=2)
    x = torch.randn(800, 20)
    y = (x[:, 0] > 0).long()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(100):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return model


def main():
    model = pretrain()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.classifier = nn.Linear(64, 5)

    x = torch.randn(1500, 20)
    y = (x[:, :5] * torch.tensor([1.0, 1.2, 0.8, 1.1, 0.9])).argmax(1)
    loader = DataLoader(TensorDataset(x, y), batch_size=50, shuffle=True)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(4):
        correct = 0
        for xb, yb in loader:
            optimizer.zero_grad()
            out = model(xb)
            loss = criterion(out, yb)
            loss.backward()
            optimizer.step()
            correct += (out.argmax(1) == yb).sum().item()
        print(f"epoch {epoch}: loss {loss.item():.3f} acc {correct / len(x):.3f}")


if __name__ == "__main__":
    main()

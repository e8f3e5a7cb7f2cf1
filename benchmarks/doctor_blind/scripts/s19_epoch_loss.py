"""MLP classifier, pytorch/examples layout, epoch-average loss logging."""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(30, 128)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(128, 6)

    def forward(self, x):
        return self.fc2(self.drop(F.relu(self.fc1(x))))


def train(model, loader, optimizer, epoch):
    model.train()
    train_loss = 0
    for data, target in loader:
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        train_loss += loss
    print(f"Epoch {epoch}: average loss {train_loss.item() / len(loader):.4f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    torch.manual_seed(0)
    x = torch.randn(3200, 30)
    y = (x[:, :6] * torch.arange(1, 7)).argmax(1)
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        train(model, loader, optimizer, epoch)


if __name__ == "__main__":
    main()

"""Train with periodic checkpoints (epoch, model, optimizer) for later analysis."""
import os

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 4))

    def forward(self, x):
        return self.body(x)


def save_checkpoint(model, optimizer, epoch, folder="checkpoints"):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"epoch_{epoch:03d}.pt")
    torch.save({"epoch": epoch, "model": model, "optimizer": optimizer.state_dict()}, path)
    return path


def main():
    torch.manual_seed(0)
    x = torch.randn(1200, 10)
    y = (x[:, :4] + 0.2 * torch.randn(1200, 4)).argmax(1)
    loader = DataLoader(TensorDataset(x, y), batch_size=40, shuffle=True)
    model = Classifier()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(4):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        if epoch % 2 == 1:
            print("saved", save_checkpoint(model, optimizer, epoch))
        print(f"epoch {epoch}: {loss.item():.4f}")


if __name__ == "__main__":
    main()

"""Trainer that validates every `val_every` steps, inside the epoch."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model, train_loader, val_loader, val_every=20):
        self.model = model
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.val_every = val_every
        self.step = 0
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    def validate(self):
        self.model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in self.val_loader:
                correct += (self.model(x).argmax(1) == y).sum().item()
        return correct / len(self.val_loader.dataset)

    def train_epoch(self, epoch):
        self.model.train()
        for x, y in self.train_loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(x), y)
            loss.backward()
            self.optimizer.step()
            self.step += 1
            if self.step % self.val_every == 0:
                print(f"epoch {epoch} step {self.step}: loss {loss.item():.3f} val {self.validate():.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(2400, 16)
    y = (x[:, :3].sum(1) > 0).long() + (x[:, 3:6].sum(1) > 0).long()
    model = nn.Sequential(nn.Linear(16, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 3))
    trainer = Trainer(model,
                      DataLoader(TensorDataset(x[:2000], y[:2000]), batch_size=40, shuffle=True),
                      DataLoader(TensorDataset(x[2000:], y[2000:]), batch_size=200))
    for epoch in range(3):
        trainer.train_epoch(epoch)

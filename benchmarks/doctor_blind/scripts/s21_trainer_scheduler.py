"""Trainer with a one-cycle learning-rate schedule."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model, loader, epochs=4, max_lr=1e-2):
        self.model = model
        self.loader = loader
        self.epochs = epochs
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(model.parameters(), lr=max_lr, momentum=0.9)
        self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
            self.optimizer, max_lr=max_lr, total_steps=epochs * len(loader))

    def training_step(self, x, y):
        self.optimizer.zero_grad()
        loss = self.criterion(self.model(x), y)
        loss.backward()
        self.scheduler.step()
        return loss.item()

    def train(self):
        for epoch in range(self.epochs):
            self.model.train()
            losses = [self.training_step(x, y) for x, y in self.loader]
            lr = self.scheduler.get_last_lr()[0]
            print(f"epoch {epoch}: loss {sum(losses) / len(losses):.4f} lr {lr:.5f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(1600, 24)
    y = (x[:, :3].sum(1) > 0).long() * 2 + (x[:, 3] > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(24, 64), nn.ReLU(), nn.Linear(64, 4))
    Trainer(model, loader).train()

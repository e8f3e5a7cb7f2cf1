"""Predict a sensor reading from 5 other sensors."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class SensorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.layers(x)


class Trainer:
    def __init__(self, model, lr=1e-2):
        self.model = model
        self.criterion = nn.MSELoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def fit(self, loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            for x, target in loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), target)
                loss.backward()
                self.optimizer.step()
            print(f"epoch {epoch}: {loss.item():.4f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    readings = torch.randn(1500, 5)
    target = 2.0 * readings[:, 0] - readings[:, 3] + 0.3 * readings[:, 1] * readings[:, 2]
    loader = DataLoader(TensorDataset(readings, target), batch_size=50, shuffle=True)
    Trainer(SensorNet()).fit(loader, epochs=6)

"""Regression Trainer with early stopping on a validation split."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model, train_loader, val_loader, lr=5e-3, patience=3):
        self.model = model
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.loss_fn = nn.SmoothL1Loss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        self.patience = patience

    def train_epoch(self):
        self.model.train()
        self.optimizer.zero_grad()
        losses = []
        for x, y in self.train_loader:
            loss = self.loss_fn(self.model(x), y)
            loss.backward()
            self.optimizer.step()
            losses.append(loss.item())
        return sum(losses) / len(losses)

    @torch.no_grad()
    def validate(self):
        self.model.eval()
        return sum(self.loss_fn(self.model(x), y).item() for x, y in self.val_loader) / len(self.val_loader)

    def fit(self, max_epochs=8):
        best, bad = float("inf"), 0
        for epoch in range(max_epochs):
            tr = self.train_epoch()
            va = self.validate()
            print(f"epoch {epoch}: train {tr:.4f} val {va:.4f}")
            if va < best:
                best, bad = va, 0
            else:
                bad += 1
                if bad >= self.patience:
                    print("early stopping")
                    break


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(1800, 12)
    y = (x[:, :4].pow(2).sum(1, keepdim=True) - x[:, 4:5]) / 4
    tr = DataLoader(TensorDataset(x[:1500], y[:1500]), batch_size=50, shuffle=True)
    va = DataLoader(TensorDataset(x[1500:], y[1500:]), batch_size=300)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    Trainer(model, tr, va).fit()

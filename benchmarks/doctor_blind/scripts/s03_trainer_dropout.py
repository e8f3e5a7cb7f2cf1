"""Tabular classifier trained with a small Trainer class."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


class TabularNet(nn.Module):
    def __init__(self, n_in, n_out, p=0.3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.ReLU(), nn.Dropout(p),
            nn.Linear(128, 64), nn.ReLU(), nn.Dropout(p),
            nn.Linear(64, n_out),
        )

    def forward(self, x):
        return self.net(x)


class Trainer:
    def __init__(self, model, train_loader, val_loader, lr=1e-3, epochs=5):
        self.model = model
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.epochs = epochs
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
        self.history = []

    def train_epoch(self):
        self.model.train()
        total, n = 0.0, 0
        for x, y in self.train_loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(x), y)
            loss.backward()
            self.optimizer.step()
            total += loss.item() * len(x)
            n += len(x)
        return total / n

    def validate(self):
        correct, n = 0, 0
        with torch.no_grad():
            for x, y in self.val_loader:
                logits = self.model(x)
                correct += (logits.argmax(dim=1) == y).sum().item()
                n += len(y)
        return correct / n

    def fit(self):
        for epoch in range(self.epochs):
            train_loss = self.train_epoch()
            val_acc = self.validate()
            self.history.append((train_loss, val_acc))
            print(f"[{epoch + 1}/{self.epochs}] train_loss={train_loss:.4f} val_acc={val_acc:.3f}")


def build_data(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(3000, 12, generator=g)
    y = ((x[:, 0] + x[:, 1] * x[:, 2]) > 0).long() + (x[:, 3] > 1).long()
    ds = TensorDataset(x, y)
    train_ds, val_ds = random_split(ds, [2400, 600], generator=g)
    return (DataLoader(train_ds, batch_size=64, shuffle=True),
            DataLoader(val_ds, batch_size=200))


if __name__ == "__main__":
    torch.manual_seed(0)
    train_loader, val_loader = build_data()
    trainer = Trainer(TabularNet(12, 3), train_loader, val_loader, epochs=5)
    trainer.fit()

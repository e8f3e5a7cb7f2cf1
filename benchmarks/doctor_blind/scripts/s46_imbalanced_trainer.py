"""Fraud-style imbalanced binary task: weighted sampler, validation every epoch."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler


class Trainer:
    def __init__(self, model, train_ds, val_ds):
        self.model = model
        labels = train_ds.tensors[1]
        class_weight = 1.0 / torch.bincount(labels).float()
        sampler = WeightedRandomSampler(class_weight[labels], num_samples=len(labels), replacement=True)
        self.train_loader = DataLoader(train_ds, batch_size=64, sampler=sampler)
        self.val_loader = DataLoader(val_ds, batch_size=256)   # evaluation order does not matter
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    def train_epoch(self):
        self.model.train()
        for x, y in self.train_loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(x), y)
            loss.backward()
            self.optimizer.step()
        return loss.item()

    def validate(self):
        self.model.eval()
        tp = fp = fn = 0
        with torch.no_grad():
            for x, y in self.val_loader:
                pred = self.model(x).argmax(1)
                tp += ((pred == 1) & (y == 1)).sum().item()
                fp += ((pred == 1) & (y == 0)).sum().item()
                fn += ((pred == 0) & (y == 1)).sum().item()
        return tp / max(tp + fp, 1), tp / max(tp + fn, 1)

    def fit(self, epochs):
        for epoch in range(epochs):
            loss = self.train_epoch()
            precision, recall = self.validate()
            print(f"epoch {epoch}: loss {loss:.3f} precision {precision:.2f} recall {recall:.2f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(4000, 10)
    y = ((x[:, 0] + x[:, 1]) > 2.0).long()      # about 8% positives
    order = torch.argsort(y)                     # stored sorted by label, as exported
    x, y = x[order], y[order]
    perm = torch.randperm(len(y))
    tr, va = perm[:3200], perm[3200:]
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 2))
    Trainer(model, TensorDataset(x[tr], y[tr]), TensorDataset(x[va], y[va])).fit(5)

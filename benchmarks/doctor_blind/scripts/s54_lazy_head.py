"""Model that sizes its classifier from the first batch it sees."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class AutoSizedNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.n_classes = n_classes
        self.features = nn.Sequential(nn.Conv1d(2, 8, 5), nn.ReLU(), nn.MaxPool1d(2),
                                      nn.Conv1d(8, 8, 5), nn.ReLU())

    def forward(self, x):
        h = self.features(x).flatten(1)
        if not hasattr(self, "classifier"):
            self.classifier = nn.Linear(h.size(1), self.n_classes)
        return self.classifier(h)


if __name__ == "__main__":
    torch.manual_seed(0)
    signals = torch.randn(600, 2, 40)
    labels = (signals[:, 0, :20].mean(1) > signals[:, 1, 20:].mean(1)).long()
    loader = DataLoader(TensorDataset(signals, labels), batch_size=30, shuffle=True)
    model = AutoSizedNet(n_classes=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(4):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.3f}")

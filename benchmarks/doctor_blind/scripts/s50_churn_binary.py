"""Customer-churn style binary classifier that outputs a probability."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class ChurnModel(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, 32), nn.ReLU(),
            nn.Linear(32, 16), nn.ReLU(),
            nn.Linear(16, 1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def main():
    torch.manual_seed(0)
    x = torch.randn(2000, 9)
    logit = 1.5 * x[:, 0] - x[:, 1] + 0.8 * x[:, 2] * x[:, 3]
    y = (torch.rand(2000) < torch.sigmoid(logit)).float()
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = ChurnModel(9)
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(4):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            prob = model(xb)
            loss = criterion(prob, yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = ((model(x) > 0.5).float() == y).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f} acc {acc:.3f}")


if __name__ == "__main__":
    main()

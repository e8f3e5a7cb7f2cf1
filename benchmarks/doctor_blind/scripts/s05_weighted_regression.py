"""Regression with per-sample weights (noisier samples count less)."""
import torch
import torch.nn as nn


def make_data(n=1024, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 6, generator=g) * 2 - 1
    noise_level = torch.rand(n, 1, generator=g)
    y = torch.sin(x[:, :1] * 3) + x[:, 1:2] ** 2 + noise_level * torch.randn(n, 1, generator=g)
    weights = 1.0 / (0.1 + noise_level)
    return x, y, weights / weights.mean()


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh())
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        return self.out(self.body(x))


if __name__ == "__main__":
    torch.manual_seed(0)
    x, y, w = make_data()
    model = Regressor()
    criterion = nn.MSELoss(reduction="none")
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    batch = 128
    for epoch in range(10):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            optimizer.zero_grad()
            pred = model(x[idx])
            loss = criterion(pred, y[idx]) * w[idx]
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: weighted mse {loss.mean().item():.4f}")

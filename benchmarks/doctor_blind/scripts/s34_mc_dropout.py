"""Regression with uncertainty estimates from Monte-Carlo dropout."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class DropoutRegressor(nn.Module):
    def __init__(self, p=0.2):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 64), nn.ReLU(), nn.Dropout(p),
                                 nn.Linear(64, 64), nn.ReLU(), nn.Dropout(p),
                                 nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x)


def train(model, loader, epochs=30):
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = nn.MSELoss()
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
    print(f"final train mse {loss.item():.4f}")


def mc_predict(model, x, samples=30):
    model.eval()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.train()
    with torch.no_grad():
        preds = torch.stack([model(x) for _ in range(samples)])
    return preds.mean(0), preds.std(0)


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.rand(400, 1) * 4 - 2
    y = x ** 3 / 4 + 0.1 * torch.randn_like(x)
    loader = DataLoader(TensorDataset(x, y), batch_size=40, shuffle=True)
    model = DropoutRegressor()
    train(model, loader)
    grid = torch.linspace(-3, 3, 7).unsqueeze(1)
    mean, std = mc_predict(model, grid)
    for g, m, s in zip(grid.flatten(), mean.flatten(), std.flatten()):
        print(f"x={g:+.1f}  pred={m:+.3f} +- {s:.3f}")

"""Regression with scaled inputs, targets shaped like the output, a scheduler, a history."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def load():
    g = torch.Generator().manual_seed(0)
    raw = torch.rand(1500, 4, generator=g) * torch.tensor([3000.0, 6.0, 80.0, 30.0])
    price = raw @ torch.tensor([150.0, 10000.0, -800.0, -2000.0]) + 50000
    price = price + torch.randn(1500, generator=g) * 20000
    x = (raw - raw.mean(0)) / raw.std(0)
    y = ((price - price.mean()) / price.std()).unsqueeze(1)
    return x, y


def main():
    torch.manual_seed(0)
    x, y = load()
    train_dl = DataLoader(TensorDataset(x[:1200], y[:1200]), batch_size=32, shuffle=True)
    val_x, val_y = x[1200:], y[1200:]
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    criterion = nn.MSELoss()
    history = []
    for epoch in range(6):
        model.train()
        epoch_losses = []
        for xb, yb in train_dl:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)
            optimizer.step()
            epoch_losses.append(loss.detach())
        scheduler.step()
        model.eval()
        with torch.no_grad():
            val = criterion(model(val_x), val_y).item()
        history.append((torch.stack(epoch_losses).mean().item(), val))
        print(f"epoch {epoch}: train {history[-1][0]:.4f} val {val:.4f}")


if __name__ == "__main__":
    main()

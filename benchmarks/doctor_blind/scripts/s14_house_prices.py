"""Predict synthetic house prices from raw features (sqft, rooms, age, ...)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_houses(n=1000, seed=0):
    g = torch.Generator().manual_seed(seed)
    sqft = torch.rand(n, generator=g) * 3000 + 500
    rooms = torch.randint(1, 7, (n,), generator=g).float()
    age = torch.rand(n, generator=g) * 80
    dist = torch.rand(n, generator=g) * 30
    price = 150 * sqft + 10000 * rooms - 800 * age - 2000 * dist + 50000
    price = price + torch.randn(n, generator=g) * 20000
    return torch.stack([sqft, rooms, age, dist], 1), price.unsqueeze(1)


def main():
    torch.manual_seed(0)
    features, prices = make_houses()
    loader = DataLoader(TensorDataset(features, prices), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    for epoch in range(5):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: mse {total / len(loader):.1f}")


if __name__ == "__main__":
    main()

"""A deep fully-connected classifier, classic sigmoid activations."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_mlp(n_in, width, depth, n_out):
    layers = [nn.Linear(n_in, width), nn.Sigmoid()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.Sigmoid()]
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def train(model, loader, epochs=3):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(1024, 32)
    y = (x[:, :16].sum(1) > x[:, 16:].sum(1)).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = make_mlp(32, 64, depth=10, n_out=2)
    train(model, loader)

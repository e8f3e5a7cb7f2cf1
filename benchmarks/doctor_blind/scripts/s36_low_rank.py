"""A compact classifier: the big hidden layer is factorised into two thin matrices."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class FactorizedLinear(nn.Module):
    """W (out x in) approximated by U (out x r) @ V (r x in)."""

    def __init__(self, in_features, out_features, rank):
        super().__init__()
        self.v = nn.Linear(in_features, rank, bias=False)
        self.u = nn.Linear(rank, out_features)

    def forward(self, x):
        return self.u(self.v(x))


class CompactNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = FactorizedLinear(128, 128, rank=12)
        self.act = nn.ReLU()
        self.out = nn.Linear(128, 5)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))


def main():
    torch.manual_seed(0)
    x = torch.randn(2000, 128)
    proj = torch.randn(128, 5)
    y = (x @ proj).argmax(1)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = CompactNet()
    print("parameters:", sum(p.numel() for p in model.parameters()))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(4):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()

"""One epoch of mini-batch training: reference solution."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.rand(1000, 1) * 2 - 1                     # 1,000 points in [-1, 1]
Y = 2 * X + 1 + 0.1 * torch.randn(1000, 1)          # the line, plus noise


def train_epoch(model, loader, loss_fn, optimizer):
    total, count = 0.0, 0
    for xb, yb in loader:                           # one step per batch
        optimizer.zero_grad()                       # clear
        loss = loss_fn(model(xb), yb)               # forward, loss
        loss.backward()                             # compute
        optimizer.step()                            # use
        total += loss.item() * len(xb)              # a batch counts as many times as it has samples
        count += len(xb)
    return total / count


EPOCHS = 5


def fit():
    torch.manual_seed(1)
    loader = DataLoader(TensorDataset(X, Y), batch_size=64, shuffle=True)   # 15 batches of 64, one of 40
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = [train_epoch(model, loader, nn.MSELoss(), optimizer) for _ in range(EPOCHS)]
    return model, losses


if __name__ == "__main__":
    model, losses = fit()
    print("epoch losses:", [round(loss, 4) for loss in losses])
    print(f"w = {model.weight.item():.3f}, b = {model.bias.item():.3f}")

# expect:
# info: train-mode-not-restored
"""test() calls model.eval() inside the epoch loop and training goes on in eval mode. The
model has no dropout or batch norm, so nothing changes today: a note, for the day a
Dropout layer is added."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
train_loader = DataLoader(TensorDataset(X[:400], y[:400]), batch_size=32, shuffle=True)
test_loader = DataLoader(TensorDataset(X[400:], y[400:]), batch_size=64)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.1)


def test():
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in test_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    return correct / 112


model.train()
for epoch in range(3):
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, test())

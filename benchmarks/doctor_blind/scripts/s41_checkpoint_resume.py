# Train, checkpoint everything, then resume in a "new session" -- done right.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(1536, 12)
Y = (X[:, :3] @ torch.tensor([1.0, -2.0, 0.5])).gt(0).long()
loader = DataLoader(TensorDataset(X, Y), batch_size=64, shuffle=True)
criterion = nn.CrossEntropyLoss()


def build():
    model = nn.Sequential(nn.Linear(12, 48), nn.ReLU(), nn.Linear(48, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, optimizer


def train_epochs(model, optimizer, first, last):
    for epoch in range(first, last):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.4f}")


# %% session 1
model, optimizer = build()
train_epochs(model, optimizer, 0, 3)
torch.save({"epoch": 3,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict()}, "ckpt.pt")

# %% session 2
model, optimizer = build()
ckpt = torch.load("ckpt.pt", weights_only=True)
model.load_state_dict(ckpt["model"])
optimizer.load_state_dict(ckpt["optimizer"])
train_epochs(model, optimizer, ckpt["epoch"], ckpt["epoch"] + 3)

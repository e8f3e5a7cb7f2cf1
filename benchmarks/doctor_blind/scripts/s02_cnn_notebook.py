# Small CNN on random 16x16 "images" -- notebook-style, top to bottom.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

# %% data: the class is the brightest quadrant of the image
N = 1024
images = torch.randn(N, 1, 16, 16)
quad = torch.stack([
    images[:, 0, :8, :8].mean((1, 2)),
    images[:, 0, :8, 8:].mean((1, 2)),
    images[:, 0, 8:, :8].mean((1, 2)),
    images[:, 0, 8:, 8:].mean((1, 2)),
], dim=1)
labels = quad.argmax(1)

train_ds = TensorDataset(images[:896], labels[:896])
val_ds = TensorDataset(images[896:], labels[896:])
train_dl = DataLoader(train_ds, batch_size=32, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=128)

# %% model
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(16 * 4 * 4, 64),
    nn.ReLU(),
    nn.Linear(64, 4),
    nn.Softmax(dim=1),
)
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)

# %% train
for epoch in range(4):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()

    model.eval()
    correct = 0
    for xb, yb in val_dl:
        preds = model(xb).argmax(1)
        correct += (preds == yb).sum().item()
    print(f"epoch {epoch}: loss {loss.item():.3f} val acc {correct / len(val_ds):.3f}")

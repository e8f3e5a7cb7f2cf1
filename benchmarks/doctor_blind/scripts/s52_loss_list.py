# Notebook-style training with a per-epoch loss curve for plotting later.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(3000, 16)
Y = (X[:, :5].sum(1, keepdim=True) ** 2) / 5 + 0.1 * torch.randn(3000, 1)
loader = DataLoader(TensorDataset(X, Y), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
curve = []

for epoch in range(3):
    model.train()
    epoch_losses = []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        epoch_losses.append(loss)
    curve.append(torch.stack(epoch_losses).mean().item())
    print(f"epoch {epoch}: mean loss {curve[-1]:.4f}")

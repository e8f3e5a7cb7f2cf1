# Source: jsboige/CoursIA, the M8 forecasting trainers (train_mamba.py and siblings) before PR #926
# Fixed by: jsboige/CoursIA PR #926 "fix(ml-training): MSE broadcasting bug pred_len=1": with
#   pred_len=1 the model returned [B, 1] while the loader's target was [B]; nn.MSELoss broadcast
#   them to [B, B] (PyTorch printed its UserWarning); the fix was y_batch.view_as(pred)
# Licence of the original: not checked; this file contains no code from it
# Expected: loss-broadcast
# This file is a minimal reproduction written for this corpus of the reported shapes (a window ->
# next-value forecaster whose head outputs pred_len=1 values, a loader yielding a [B] target,
# MSELoss, Adam, validation under no_grad); no code was copied. The Mamba backbone is a small MLP.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
WINDOW, PRED_LEN = 24, 1
t = torch.arange(0, 2000, dtype=torch.float32)
series = torch.sin(t / 15) + 0.1 * torch.randn(2000)
X = torch.stack([series[i:i + WINDOW] for i in range(1500)])
y = series[WINDOW:WINDOW + 1500]                     # [N]: one value per window
train_loader = DataLoader(TensorDataset(X[:1200], y[:1200]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X[1200:], y[1200:]), batch_size=64)
model = nn.Sequential(nn.Linear(WINDOW, 64), nn.GELU(), nn.Linear(64, PRED_LEN))   # [B, 1]
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    model.train()
    for x_batch, y_batch in train_loader:
        optimizer.zero_grad()
        pred = model(x_batch)
        loss = criterion(pred, y_batch)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = sum(criterion(model(xb), yb).item() for xb, yb in val_loader) / len(val_loader)
    print(f"epoch {epoch} train {loss.item():.4f} val {val:.4f}")

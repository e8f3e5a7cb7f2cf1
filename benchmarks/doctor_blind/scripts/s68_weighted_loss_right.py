# Heteroscedastic regression: per-sample weighted loss, reduced correctly.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
n = 1500
x = torch.rand(n, 4) * 2 - 1
noise = 0.05 + 0.5 * x[:, 3].abs()
y = torch.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + noise * torch.randn(n)
w = 1.0 / noise ** 2
w = w / w.mean()

model = nn.Sequential(nn.Linear(4, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
history = []

for epoch in range(8):
    perm = torch.randperm(n)
    for i in range(0, n, 100):
        idx = perm[i:i + 100]
        optimizer.zero_grad()
        pred = model(x[idx]).squeeze(-1)                      # [B]
        per_sample = F.mse_loss(pred, y[idx], reduction="none")
        loss = (per_sample * w[idx]).mean()
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    print(f"epoch {epoch}: weighted mse {sum(history[-15:]) / 15:.4f}")

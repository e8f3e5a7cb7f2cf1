# Regression trained to maximise the correlation with the target (notebook style).
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)

X = torch.randn(1200, 10)
y = (X[:, 0] * 2 - X[:, 1] + 0.5 * torch.tanh(X[:, 2] * X[:, 3])).unsqueeze(1)


def correlation_loss(pred, target):
    p = pred.detach().cpu().numpy().ravel()
    t = target.cpu().numpy().ravel()
    r = np.corrcoef(p, t)[0, 1]
    return torch.tensor(1.0 - r, dtype=torch.float32, requires_grad=True)


model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(6):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 100):
        idx = perm[i:i + 100]
        optimizer.zero_grad()
        loss = correlation_loss(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: 1 - r = {loss.item():.4f}")

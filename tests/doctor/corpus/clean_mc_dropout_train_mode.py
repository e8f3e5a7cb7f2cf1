# expect:
"""Monte Carlo dropout written the short way: model.train() and the same batch 30 times."""
import torch
import torch.nn as nn
from _data import regression

torch.manual_seed(0)
X, y = regression()
model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(50):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X).squeeze(1), y)
    loss.backward()
    opt.step()

model.train()  # keep dropout active on purpose
with torch.no_grad():
    preds = torch.stack([model(X[:16]) for _ in range(30)])
print("predictive std", preds.std(0).mean().item())

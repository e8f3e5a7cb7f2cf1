# expect:
"""Monte Carlo dropout: after training, keep dropout on and average 20 stochastic passes."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(40):
    idx = torch.randint(0, 256, (32,))
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
    loss.backward()
    opt.step()

# inference with uncertainty: eval() for everything, then switch only the dropout layers back on
model.eval()
for m in model.modules():
    if isinstance(m, nn.Dropout):
        m.train()
x_new = X[:8]
with torch.no_grad():
    samples = torch.stack([model(x_new).softmax(1) for _ in range(20)])
print("mean", samples.mean(0)[0], "std", samples.std(0)[0])

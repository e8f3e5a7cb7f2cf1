"""Training drawn from an endless source, with an evaluation after it that must still run
under the doctor. Argument: "sampler" (a DataLoader over RandomSampler(replacement=True,
num_samples=10**9), one pass that never ends) or "cycle" (itertools.cycle over a DataLoader).
Either way the loop's own limit is 10**7 steps."""
import itertools
import sys

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

torch.manual_seed(0)
X = torch.randn(512, 10)
y = (X[:, 0] > 0).long()
data = TensorDataset(X, y)
if sys.argv[1] == "sampler":
    batches = DataLoader(data, batch_size=32, sampler=RandomSampler(data, replacement=True, num_samples=10**9))
else:
    batches = itertools.cycle(DataLoader(data, batch_size=32, shuffle=True))
model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step, (xb, yb) in enumerate(batches):
    opt.zero_grad()
    nn.functional.cross_entropy(model(xb), yb).backward()
    opt.step()
    if step >= 10**7:
        break
model.eval()
with torch.no_grad():
    print("accuracy", (model(X).argmax(1) == y).float().mean().item())

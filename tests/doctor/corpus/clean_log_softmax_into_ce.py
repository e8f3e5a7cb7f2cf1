# expect:
# info: softmax-before-cross-entropy
"""log_softmax output handed to CrossEntropyLoss: log_softmax applied twice. It changes
nothing numerically (log_softmax of log-probabilities is the same log-probabilities), so it
is a note, not a warning."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4), nn.LogSoftmax(dim=1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
print(loss.item())

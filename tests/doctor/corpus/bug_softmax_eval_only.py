# expect: softmax-before-cross-entropy
"""Training is right, but the validation loss is computed on probabilities (no grad, so no grad_fn)."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.CrossEntropyLoss()
for step in range(20):
    opt.zero_grad()
    loss = crit(model(X[:192]), y[:192])
    loss.backward()
    opt.step()
model.eval()
with torch.no_grad():
    probs = torch.softmax(model(X[192:]), dim=1)
    val_loss = crit(probs, y[192:])
print("val", val_loss.item())

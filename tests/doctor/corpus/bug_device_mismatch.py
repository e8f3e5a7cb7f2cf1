# expect: device-mismatch
"""The model is moved to another device, the batches are not (the meta device stands in for a GPU)."""
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "meta")
model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2)).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
X = torch.randn(64, 10)
y = torch.randint(0, 2, (64,))
for step in range(5):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X), y)   # X and y were never moved
    loss.backward()
    opt.step()

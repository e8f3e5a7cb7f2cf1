# expect: optimizer-missing-params
"""A layer added to the model after the optimizer was created is never updated."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(20, 32), nn.ReLU())
        self.head = nn.Linear(32, 4)

    def forward(self, x):
        return self.head(self.body(x))


X, y = blobs(n=256)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
model.head = nn.Linear(32, 4)   # replaced after the optimizer captured the old head
for step in range(30):
    idx = torch.randint(0, 256, (32,))
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
    loss.backward()
    opt.step()
print(loss.item())

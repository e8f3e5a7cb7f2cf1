# expect: forward-called-directly
"""model.forward(x) instead of model(x): module hooks are skipped."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


X, y = blobs(n=256)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(20):
    idx = torch.randint(0, 256, (32,))
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model.forward(X[idx]), y[idx])
    loss.backward()
    opt.step()
print(loss.item())

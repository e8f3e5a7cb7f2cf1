# expect:
"""pytorch/examples mnist style: ReLU between hidden layers, a plain Linear last layer,
log_softmax and nll_loss."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from _data import blobs


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return F.log_softmax(self.fc2(x), dim=1)


torch.manual_seed(0)
X, y = blobs()
model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(60):
    idx = torch.randperm(len(X))[:32]
    opt.zero_grad()
    loss = F.nll_loss(model(X[idx]), y[idx])
    loss.backward()
    opt.step()
print(loss.item())

# expect: layer-created-in-forward
"""The output layer is created inside forward(): new random weights every call, never trained."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 32)

    def forward(self, x):
        h = torch.relu(self.hidden(x))
        classifier = nn.Linear(32, 4)
        return classifier(h)


X, y = blobs(n=256)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(30):
    idx = torch.randint(0, 256, (32,))
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
    loss.backward()
    opt.step()
print(loss.item())

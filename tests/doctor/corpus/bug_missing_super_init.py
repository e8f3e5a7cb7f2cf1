# expect: missing-super-init
"""A Module subclass that forgets super().__init__()."""
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


model = Net()
print(model(torch.randn(3, 4)))

# expect: inplace-autograd-conflict
"""An in-place update of a tensor that sigmoid's backward still needs."""
import torch
import torch.nn as nn


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        g = torch.sigmoid(self.fc(x))
        g += 0.1                      # in place: sigmoid's saved output is overwritten
        return self.out(g)


model = Gate()
opt = torch.optim.Adam(model.parameters())
x, y = torch.randn(32, 8), torch.randn(32, 1)
for step in range(3):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()

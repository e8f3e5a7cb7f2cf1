# expect:
"""L-BFGS needs a closure that recomputes the loss; backward() runs inside step()."""
import torch
import torch.nn as nn
from _data import regression

torch.manual_seed(0)
X, y = regression()
model = nn.Linear(8, 1)
opt = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=10)


def closure():
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X).squeeze(1), y)
    loss.backward()
    return loss


for step in range(5):
    loss = opt.step(closure)
print(loss.item())

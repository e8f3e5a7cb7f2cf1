# expect:
"""Adversarial training (FGSM): each batch is a leaf tensor with requires_grad=True, used in
the loss and never given to the optimizer. It is an input, made fresh every step."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from _data import blobs

torch.manual_seed(0)
X, y = blobs()
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for step in range(30):
    idx = torch.randperm(len(X))[:32]
    xb = X[idx].clone().requires_grad_(True)
    grad_x, = torch.autograd.grad(F.cross_entropy(model(xb), y[idx]), xb)
    x_adv = (xb + 0.1 * grad_x.sign()).detach().requires_grad_(True)
    opt.zero_grad()
    loss = F.cross_entropy(model(x_adv), y[idx])
    loss.backward()
    opt.step()
print(loss.item())

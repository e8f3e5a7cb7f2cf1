# expect:
"""The same trainer class, clearing the gradients every step and clipping them to norm 5."""
import torch
import torch.nn as nn
from _data import blobs


class Executor:
    def __init__(self, model, lr):
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        self.criterion = nn.CrossEntropyLoss()

    def run_step(self, xb, yb):
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.criterion(self.model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
        self.optimizer.step()
        return loss.item()

    def fit(self, X, y, steps, batch=32):
        for step in range(steps):
            idx = torch.randperm(len(X))[:batch]
            self.run_step(X[idx], y[idx])


torch.manual_seed(0)
X, y = blobs()
X = X * 20  # large inputs: the gradient norm is above 5 at every step, so clipping is active
Executor(nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 4)), lr=0.05).fit(X, y, steps=12)

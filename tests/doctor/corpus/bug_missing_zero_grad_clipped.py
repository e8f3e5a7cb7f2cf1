# expect: missing-zero-grad
"""A trainer class that clips the gradient norm to 5 before every step and never clears
.grad. Clipping keeps the summed gradients from growing, so only the loop itself shows
the mistake: every step applies gradients that earlier steps already applied."""
import torch
import torch.nn as nn
from _data import blobs


class Executor:
    def __init__(self, model, lr):
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        self.criterion = nn.CrossEntropyLoss()

    def run_step(self, xb, yb):
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

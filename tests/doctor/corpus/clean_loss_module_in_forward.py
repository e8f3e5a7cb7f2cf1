# expect:
"""A model that returns its own loss and builds the (parameter-free) loss module in forward."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))

    def forward(self, x, y=None):
        logits = self.net(x)
        if y is None:
            return logits
        loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)   # no parameters: harmless here
        return loss_fn(logits, y)


X, y = blobs(n=256)
model = Classifier()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(30):
    idx = torch.randint(0, 256, (32,))
    opt.zero_grad()
    loss = model(X[idx], y[idx])
    loss.backward()
    opt.step()
print(loss.item())

# expect:
"""Save weights, rebuild the model, load them and predict in eval mode under no_grad."""
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(0)


def make():
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))


path = os.path.join(tempfile.mkdtemp(), "weights.pt")
torch.save(make().state_dict(), path)

model = make()
model.load_state_dict(torch.load(path, weights_only=True))
model.eval()
with torch.no_grad():
    for _ in range(5):
        print(model(torch.randn(16, 10)).argmax(1).tolist())

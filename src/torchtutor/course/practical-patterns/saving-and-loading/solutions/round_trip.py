"""Save, load, verify: reference solution.

The state_dict is a dictionary of tensors, so it loads with weights_only=True. The
architecture comes from code (make_model), the values from the file; load_state_dict
fills the model in place and returns a report, so the function returns the model.
Dropout makes train-mode outputs random, so the comparison runs in eval mode.
"""

import tempfile
from pathlib import Path

import torch
import torch.nn as nn


def make_model():
    return nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))


def save_weights(model, path):
    torch.save(model.state_dict(), path)


def load_weights(path):
    model = make_model()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model


def same_model(a, b, x):
    a.eval()
    b.eval()
    with torch.no_grad():
        return torch.allclose(a(x), b(x))


if __name__ == "__main__":
    trained = make_model()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weights.pt"
        save_weights(trained, path)
        restored = load_weights(path)
        print("same model:", same_model(trained, restored, torch.randn(8, 5)))

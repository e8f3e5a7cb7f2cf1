"""Load a checkpoint written on a GPU machine: reference solution.

The file records cuda:3 for every tensor and torch.load tries to put them back there.
map_location=device tells it where to put them instead, so the same function works on
a laptop and on a GPU server.
"""

import tempfile
from pathlib import Path
from unittest import mock

import torch
import torch.nn as nn


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def write_server_checkpoint(path, seed=0):
    """Write a checkpoint as the GPU server would (do not change)."""
    torch.manual_seed(seed)
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    with mock.patch("torch.serialization.location_tag", lambda storage: "cuda:3"):
        torch.save({"epoch": 12, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "loss": 0.123}, path)


def load_for_inference(path, device):
    checkpoint = torch.load(path, map_location=device, weights_only=True)
    model = make_model().to(device)
    model.load_state_dict(checkpoint["model"])
    return model.eval()


if __name__ == "__main__":
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "server.pt"
        write_server_checkpoint(path)
        model = load_for_inference(path, device)
        print("loaded on", next(model.parameters()).device)

"""Load a checkpoint written on a GPU machine                              (supported)

A training server with four GPUs wrote a checkpoint while its model sat on `cuda:3`.
`write_server_checkpoint` below makes an identical file (it tells `torch.save` that
every tensor lives on cuda:3, which is what the server's file records).

`load_for_inference(path, device)` should return `make_model()` on `device`, with the
checkpoint's weights, in eval mode, ready for predictions. As written it works only on
a machine that has a cuda:3. Run the file to see how it fails here, then fix it so
that the same function works on any machine, for any device it is given.

Done when: the checker writes such a file into a temporary folder and calls your
`load_for_inference` with the CPU and with another device of its own, then compares
the weights and checks where they live.
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
    checkpoint = torch.load(path, weights_only=True)
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

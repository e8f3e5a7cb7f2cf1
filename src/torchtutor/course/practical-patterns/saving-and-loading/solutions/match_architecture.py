"""Build the model a colleague's weights file fits: reference solution.

The names are attribute paths. `encoder.0`, `encoder.2` and `encoder.3` are positions
in a Sequential stored as `self.encoder`; the gap at index 1 is a layer without
parameters (the ReLU after the first hidden layer). `encoder.3` has running averages,
so it is a BatchNorm1d(16). nn.Linear(in, out) stores its weight as [out, in]. After
the encoder's second hidden layer comes a ReLU, then the head gives raw scores.
"""

import tempfile
from pathlib import Path

import torch
import torch.nn as nn

# The colleague's file, as `torch.load` returns it: names and shapes (do not change).
COLLEAGUE_SHAPES = {
    "encoder.0.weight": (32, 20),
    "encoder.0.bias": (32,),
    "encoder.2.weight": (16, 32),
    "encoder.2.bias": (16,),
    "encoder.3.weight": (16,),
    "encoder.3.bias": (16,),
    "encoder.3.running_mean": (16,),
    "encoder.3.running_var": (16,),
    "encoder.3.num_batches_tracked": (),
    "head.weight": (3, 16),
    "head.bias": (3,),
}


def write_colleague_file(path, seed=0):
    """Write a weights file with the colleague's names and shapes (do not change)."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for name, shape in COLLEAGUE_SHAPES.items():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(100)
        elif name.endswith("running_var"):
            state[name] = torch.rand(shape, generator=g) + 0.5
        else:
            state[name] = torch.randn(shape, generator=g) * 0.3
    torch.save(state, path)


class ColleagueNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(20, 32),     # encoder.0
            nn.ReLU(),             # encoder.1: no parameters, no entry
            nn.Linear(32, 16),     # encoder.2
            nn.BatchNorm1d(16),    # encoder.3: weight, bias and three buffers
            nn.ReLU(),             # encoder.4: no entry
        )
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.encoder(x))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "colleague.pt"
        write_colleague_file(path)
        for name, tensor in torch.load(path, weights_only=True).items():
            print(f"{name:32} {tuple(tensor.shape)}")
        model = ColleagueNet()
        print(model.load_state_dict(torch.load(path, weights_only=True)))

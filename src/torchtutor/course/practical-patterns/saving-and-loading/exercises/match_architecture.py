"""Build the model a colleague's weights file fits                         (supported)

A colleague trained a classifier and sent you its weights file with this note:

    "20 features in, 3 class scores out. ReLU after every hidden layer, raw scores
    at the end. The class is somewhere in my old repo, sorry."

The file holds names and tensors only: the architecture is yours to write. Run this
script: it writes the colleague's file into a temporary folder and prints every entry
with its shape. Then write `ColleagueNet`, an nn.Module whose state_dict has exactly
those names and shapes and whose forward pass follows the note, so that

    model = ColleagueNet()
    model.load_state_dict(torch.load(path, weights_only=True))    # strict: every key

succeeds and gives the colleague's predictions.

Done when: the checker loads a file like this one, with other values, into your
`ColleagueNet()` and compares your model's outputs (in eval mode) with the ones the
colleague's network computes.
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
        # your code here: the layers, under the names the file uses

    def forward(self, x):
        return None   # your code here


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "colleague.pt"
        write_colleague_file(path)
        for name, tensor in torch.load(path, weights_only=True).items():
            print(f"{name:32} {tuple(tensor.shape)}")
        model = ColleagueNet()
        print(model.load_state_dict(torch.load(path, weights_only=True)))

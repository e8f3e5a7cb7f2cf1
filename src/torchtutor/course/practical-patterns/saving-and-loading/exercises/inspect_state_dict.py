"""Read a state_dict: names, shapes, parameters and buffers                (guided)

`model` below has two Linear layers, a batch norm, a ReLU and a dropout. Before you
save anything, look at what saving would write. Fill in each name with code that
reads `model.state_dict()` (not numbers typed in by hand):

1. `names`: the state_dict's keys, in order (a list of strings).
2. `shapes`: a dict from each of those names to its shape, as a tuple of ints.
3. `buffer_names`: the names that are not parameters (a set): batch norm keeps some.
4. `n_values`: how many numbers the state_dict holds in total, every entry counted.
5. `snapshot`: a copy of the state_dict that keeps today's values even after training
   changes the model.

Done when: the checker reads these five names. It compares them with the state_dict
of your own `model`, and then changes the model's weights to see whether `snapshot`
stays put.
"""

import copy

import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(6, 10),
    nn.BatchNorm1d(10),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(10, 2),
)

names = None          # your code here
shapes = None         # your code here
buffer_names = None   # your code here
n_values = None       # your code here
snapshot = None       # your code here

if __name__ == "__main__":
    for name, tensor in model.state_dict().items():
        print(f"{name:24} {tuple(tensor.shape)}")

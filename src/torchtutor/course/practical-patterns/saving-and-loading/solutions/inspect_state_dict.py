"""Read a state_dict: reference solution.

Every entry of state_dict() is a tensor under its path in the model; batch norm adds
three buffers (running_mean, running_var, num_batches_tracked) that are not
parameters, while ReLU and Dropout add nothing. A snapshot must be a deep copy,
because the state_dict's tensors are the model's own.
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

state = model.state_dict()
names = list(state)
shapes = {name: tuple(tensor.shape) for name, tensor in state.items()}
buffer_names = set(state) - {name for name, _ in model.named_parameters()}
n_values = sum(tensor.numel() for tensor in state.values())
snapshot = copy.deepcopy(state)

if __name__ == "__main__":
    for name, tensor in model.state_dict().items():
        print(f"{name:24} {tuple(tensor.shape)}")

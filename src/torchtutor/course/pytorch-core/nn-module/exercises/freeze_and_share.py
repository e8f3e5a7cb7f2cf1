"""Freeze one layer, share another                                   (supported)

Part 1: freezing. `make_model()` builds Linear -> ReLU -> Linear. Write
`freeze_first_layer(model)`, which freezes the first linear layer, model[0], weight
and bias, in place, and leaves the last layer, model[2], free to learn. A frozen
parameter still takes part in the forward pass; it just gets no gradient.

Part 2: sharing. Complete `TiedNet(features)`. It holds ONE layer,
`self.shared = nn.Linear(features, features)`, and its forward applies that same
layer twice: self.shared, then ReLU, then self.shared again.

Done when: after freeze_first_layer, backward() leaves model[0]'s gradients at None
while model[2] gets gradients; TiedNet(3) holds a single set of parameters (12
numbers) and computes shared(relu(shared(x))); and its weight's gradient is the sum
of the shares from both uses.
"""

import torch
import torch.nn as nn


def make_model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))


def freeze_first_layer(model):
    pass  # your code here


class TiedNet(nn.Module):
    def __init__(self, features):
        super().__init__()
        # your code here: one nn.Linear, called self.shared

    def forward(self, x):
        return None  # your code here


if __name__ == "__main__":
    model = make_model()
    freeze_first_layer(model)
    model(torch.randn(5, 3)).sum().backward()
    for name, p in model.named_parameters():
        print(name, "requires_grad =", p.requires_grad, " grad is None:", p.grad is None)
    tied = TiedNet(3)
    print("TiedNet parameter tensors:", len(list(tied.parameters())))

"""Take the pulse: per-layer gradient norms                              (supported)

Write two functions:

- `grad_norms(model, X, y)`: run ONE forward and backward pass of
  nn.CrossEntropyLoss on the batch (X, y), starting from clean gradients, and return
  a dict from each parameter's name (as `model.named_parameters()` gives it) to the
  norm of its gradient, as a Python float. Leave out parameters that get no gradient.
  Do not update the model.
- `pulse_ratio(norms)`: the norm of the FIRST weight matrix divided by the norm of
  the LAST one (names ending in "weight", in the dict's order). Close to 1e-3 or less
  means the first layers barely learn: vanishing gradients.

Done when: the checker takes the pulse of networks of its own, some with gradients
already left in .grad, and compares your numbers with its own.
"""

import torch
import torch.nn as nn


def grad_norms(model, X, y):
    return None   # your code here


def pulse_ratio(norms):
    return None   # your code here


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = torch.randn(128, 20), torch.randint(0, 5, (128,))
    for act in (nn.ReLU, nn.Sigmoid):
        layers = [nn.Linear(20, 32), act()]
        for _ in range(6):
            layers += [nn.Linear(32, 32), act()]
        net = nn.Sequential(*layers, nn.Linear(32, 5))
        norms = grad_norms(net, X, y)
        print(act.__name__, norms and pulse_ratio(norms))

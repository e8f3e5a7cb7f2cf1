"""Take the pulse: reference solution.

Clear the gradients, run one backward pass, and read p.grad.norm() for every parameter
that got a gradient; .item() makes each a float. The ratio of the first weight's norm to
the last one's shows how much of the signal reaches the first layer.
"""

import torch
import torch.nn as nn


def grad_norms(model, X, y):
    model.zero_grad()                                   # clean gradients: nothing left from before
    nn.CrossEntropyLoss()(model(X), y).backward()
    return {name: p.grad.norm().item()
            for name, p in model.named_parameters() if p.grad is not None}


def pulse_ratio(norms):
    weights = [value for name, value in norms.items() if name.endswith("weight")]
    return weights[0] / weights[-1]


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

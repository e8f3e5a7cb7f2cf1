"""The payoff: four gradients from one backward()                     (supported)

In the autograd lesson the shared network's gradients took four tensors and four
reads of `.grad`. Here the network is a Module. Write `gradients(model, x, y)`, which
works for any model:

1. clear every gradient the model holds: the function may be called many times on
   the same model, and gradients add up;
2. run the forward pass on x, the way a Module is meant to be called;
3. compute the mean squared error between the prediction and y;
4. run the backward pass;
5. return a dict that maps each parameter's name (as `model.named_parameters()`
   gives it, e.g. "hidden.weight") to a copy of its gradient (`.clone()`).

Done when: on the shared network (x = [[2.0]], y = [[1.0]]) your dict holds
hidden.weight 1.356, hidden.bias 0.678, output.weight -2.486, output.bias -2.26;
a second call on the same model gives the same numbers; it works for a batch on
another model too; and the checker sees the model being called as a Module.
Run this file to print the numbers.
"""

import torch
import torch.nn as nn


class TwoLayerNet(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


def make_shared_network():
    model = TwoLayerNet(1, 1, 1)
    with torch.no_grad():
        model.hidden.weight.fill_(0.5)
        model.hidden.bias.fill_(0.1)
        model.output.weight.fill_(-0.3)
        model.output.bias.fill_(0.2)
    return model


def gradients(model, x, y):
    return None  # your code here


if __name__ == "__main__":
    net = make_shared_network()
    x, y = torch.tensor([[2.0]]), torch.tensor([[1.0]])
    print(gradients(net, x, y))
    print(gradients(net, x, y))   # a second call must give the same numbers

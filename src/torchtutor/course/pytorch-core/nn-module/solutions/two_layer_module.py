"""TwoLayerNet: the shared network as a Module: reference solution."""

import torch
import torch.nn as nn


class TwoLayerNet(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()                       # builds the registries first
        self.hidden = nn.Linear(n_in, n_hidden)  # what the model is made of...
        self.output = nn.Linear(n_hidden, n_out)

    def forward(self, x):                        # ...and how data flows through it
        h = torch.relu(self.hidden(x))
        return self.output(h)


def make_shared_network():
    model = TwoLayerNet(1, 1, 1)
    with torch.no_grad():                        # setting values is not part of the graph
        model.hidden.weight.fill_(0.5)
        model.hidden.bias.fill_(0.1)
        model.output.weight.fill_(-0.3)
        model.output.bias.fill_(0.2)
    return model


if __name__ == "__main__":
    net = make_shared_network()
    print(net)
    print("y_hat for x = 2.0:", net(torch.tensor([[2.0]])))

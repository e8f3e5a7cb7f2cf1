"""Convert TwoLayerNet to nn.Sequential: reference solution."""

import torch
import torch.nn as nn


class TwoLayerNet(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


def to_sequential(net):
    # The same brick objects, snapped into a straight tower; nn.ReLU() is the module form of torch.relu.
    return nn.Sequential(net.hidden, nn.ReLU(), net.output)


if __name__ == "__main__":
    torch.manual_seed(0)
    net = TwoLayerNet(3, 5, 2)
    seq = to_sequential(net)
    print(seq)
    x = torch.randn(4, 3)
    print("same outputs:", torch.allclose(net(x), seq(x)))

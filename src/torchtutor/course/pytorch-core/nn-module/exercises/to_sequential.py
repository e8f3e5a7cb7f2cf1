"""Convert TwoLayerNet to nn.Sequential                              (supported)

TwoLayerNet below is a straight tower: linear layer, ReLU, linear layer. A tower
like that does not need a hand-written forward(): nn.Sequential runs its bricks in
order for you.

Write `to_sequential(net)`. It receives a TwoLayerNet and returns an nn.Sequential
that computes exactly what `net` computes, for any input. Reuse the net's own layers
(`net.hidden`, `net.output`), so that both models share the same trained weights,
and put the ReLU between them as a module.

Done when: the checker builds a TwoLayerNet(3, 5, 2), converts it with your function,
and finds an nn.Sequential with a ReLU between two linear layers, holding the net's
own 4 parameter tensors and giving the same outputs as net(x).
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


def to_sequential(net):
    return None  # your code here


if __name__ == "__main__":
    torch.manual_seed(0)
    net = TwoLayerNet(3, 5, 2)
    seq = to_sequential(net)
    print(seq)
    x = torch.randn(4, 3)
    print("same outputs:", torch.allclose(net(x), seq(x)))

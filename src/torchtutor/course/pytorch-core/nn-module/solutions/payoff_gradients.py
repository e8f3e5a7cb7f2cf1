"""The payoff: four gradients from one backward(): reference solution."""

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
    model.zero_grad()                      # every parameter, in one call
    y_hat = model(x)                       # model(x), not model.forward(x)
    loss = ((y_hat - y) ** 2).mean()
    loss.backward()
    return {name: p.grad.clone() for name, p in model.named_parameters()}


if __name__ == "__main__":
    net = make_shared_network()
    x, y = torch.tensor([[2.0]]), torch.tensor([[1.0]])
    print(gradients(net, x, y))
    print(gradients(net, x, y))   # a second call must give the same numbers

"""optimizer.step() against an update by hand: reference solution."""

import torch
import torch.nn as nn

X = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
y = torch.tensor([[1.0], [3.0], [5.0], [7.0]])     # y = 2x + 1
lr = 0.05


def make_model():
    """A line y = 0.5 * x + 0.0, the same every time."""
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(0.5)
        model.bias.fill_(0.0)
    return model


def manual_step(model, X, y, lr):
    loss = nn.MSELoss()(model(X), y)
    loss.backward()
    with torch.no_grad():                  # the update is not part of the graph
        for p in model.parameters():
            p -= lr * p.grad               # in place: the model's own tensor changes


def optimizer_step(model, X, y, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = nn.MSELoss()(model(X), y)
    loss.backward()
    optimizer.step()                       # the same p -= lr * p.grad, for every parameter
    return optimizer


if __name__ == "__main__":
    by_hand, by_optimizer = make_model(), make_model()
    manual_step(by_hand, X, y, lr)
    optimizer_step(by_optimizer, X, y, lr)
    for (name, a), b in zip(by_hand.named_parameters(), by_optimizer.parameters()):
        print(f"{name:6}  by hand {a.item():.6f}   optimizer.step() {b.item():.6f}")

"""optimizer.step() against an update by hand                            (guided)

torch.optim.SGD is not a black box: its step() is the gradient descent update from
Series 1, p <- p - lr * p.grad, for every parameter it holds. Prove it by writing one
step both ways.

1. `manual_step(model, X, y, lr)`: one step of gradient descent by hand.
   - compute the MSE loss of model(X) against y and call backward() on it;
   - then, inside `with torch.no_grad():`, update every parameter in place:
     `p -= lr * p.grad` for each p in model.parameters().
   Return nothing: the function changes the model in place.

2. `optimizer_step(model, X, y, lr)`: the same step, done by an optimizer.
   - build `torch.optim.SGD` over the model's parameters with learning rate `lr`;
   - compute the loss, call backward(), then `optimizer.step()`;
   - return the optimizer you built.

Both functions start from a model whose gradients are empty. The checker gives each of
them its own copy of the same model and compares the weights afterwards.

Done when: after one call, both models hold exactly the weights that
p - lr * p.grad gives, and the optimizer is an SGD over all of the model's parameters,
with your lr. Run this file to see the two models side by side.
"""

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
    pass  # your code here


def optimizer_step(model, X, y, lr):
    return None  # your code here


if __name__ == "__main__":
    by_hand, by_optimizer = make_model(), make_model()
    manual_step(by_hand, X, y, lr)
    optimizer_step(by_optimizer, X, y, lr)
    for (name, a), b in zip(by_hand.named_parameters(), by_optimizer.parameters()):
        print(f"{name:6}  by hand {a.item():.6f}   optimizer.step() {b.item():.6f}")

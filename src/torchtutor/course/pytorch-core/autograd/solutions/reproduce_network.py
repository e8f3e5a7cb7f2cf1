"""Reproduce the backprop network: reference solution."""

import torch


def network_grads(x, y, w1, b1, w2, b2):
    x = torch.tensor(float(x))                            # data: nothing to learn, no recording
    y = torch.tensor(float(y))
    w1 = torch.tensor(float(w1), requires_grad=True)      # parameters: press Record
    b1 = torch.tensor(float(b1), requires_grad=True)
    w2 = torch.tensor(float(w2), requires_grad=True)
    b2 = torch.tensor(float(b2), requires_grad=True)

    z1 = w1 * x + b1
    h = torch.relu(z1)             # keeps the path even where it outputs 0
    y_hat = w2 * h + b2
    loss = (y_hat - y) ** 2

    loss.backward()                # press Rewind: fills all four .grad attributes

    return {"w1": w1.grad.item(), "b1": b1.grad.item(), "w2": w2.grad.item(), "b2": b2.grad.item()}


if __name__ == "__main__":
    print(network_grads(2.0, 1.0, 0.5, 0.1, -0.3, 0.2))

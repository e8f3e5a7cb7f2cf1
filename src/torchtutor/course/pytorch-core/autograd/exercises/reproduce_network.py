"""Reproduce the backprop network  (level: guided)

The two-layer network you backpropagated by hand in Series 1, now with autograd:

    z1    = w1 * x + b1
    h     = relu(z1)
    y_hat = w2 * h + b2
    loss  = (y_hat - y) ** 2

Complete `network_grads(x, y, w1, b1, w2, b2)`. It receives six plain numbers
and returns a dict with the four gradients, as floats:

    {"w1": dL/dw1, "b1": dL/db1, "w2": dL/dw2, "b2": dL/db2}

found by ONE call to loss.backward(). The first lines are written for you.

Done when: the checker calls your function with the lesson's numbers
(x = 2, y = 1, w1 = 0.5, b1 = 0.1, w2 = -0.3, b2 = 0.2), whose gradients are in the
lesson's table, and with other numbers, including an input that switches the
ReLU off (then dL/dw1 and dL/db1 must be 0.0).

Run this file (python reproduce_network.py) to print your dict for the lesson's numbers.
To step through the backward pass by hand next to autograd, run
`torchtutor widget autograd-explorer`.
"""

import torch


def network_grads(x, y, w1, b1, w2, b2):
    x = torch.tensor(float(x))                            # data: nothing to learn, no recording
    y = torch.tensor(float(y))
    w1 = torch.tensor(float(w1), requires_grad=True)      # a parameter: press Record
    b1 = None  # your code here: b1, w2 and b2 are parameters too
    w2 = None
    b2 = None

    loss = None  # your code here: the forward pass (z1, h, y_hat) and the loss

    # your code here: one backward call

    return None  # your code here: {"w1": ..., "b1": ..., "w2": ..., "b2": ...}


if __name__ == "__main__":
    print(network_grads(2.0, 1.0, 0.5, 0.1, -0.3, 0.2))

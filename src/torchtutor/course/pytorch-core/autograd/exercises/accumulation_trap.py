"""The accumulation trap  (level: guided)

`per_example_grads(xs, ys)` should return, for every pair (x, y), the gradient
of that ONE example's loss

    loss = (w * x - y) ** 2        so   dloss/dw = 2 * (w * x - y) * x

with respect to the weight w below. It runs without an error, and its first
number is even right. The others are not.

1. Predict: with w = 1.5, work out the three gradients for the data at the
   bottom by hand (one example at a time).
2. Run this file (python accumulation_trap.py) and compare.
3. Find out why the numbers differ, and fix the function. It takes one line.

Done when: the checker calls per_example_grads on the data below and on other
data, several times in a row, starting with a w that has never been through
backward(), and every number equals the gradient of its own example alone.
"""

import torch

w = torch.tensor(1.5, requires_grad=True)


def per_example_grads(xs, ys):
    grads = []
    for x, y in zip(xs, ys):
        loss = (w * x - y) ** 2
        loss.backward()
        grads.append(w.grad.item())
    return grads


if __name__ == "__main__":
    xs = torch.tensor([1.0, 2.0, 3.0])
    ys = torch.tensor([2.0, 2.0, 4.0])
    print(per_example_grads(xs, ys))

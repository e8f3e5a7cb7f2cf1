"""Learning rate: crawl, converge, diverge                               (guided)

`fit(lr)` below is a complete training loop: it fits y = w*x + b to points on the line
y = 2x + 1, starting from w = b = 0, with 50 steps of SGD, and returns the 50 losses.
The learning rate is the one number in it that you choose. Try a few with `fit(...)`
(run this file), then fill in four numbers:

1. `lr_crawl`:   the loss goes down at every step, but after 50 steps it is still
                 above a quarter of where it started.
2. `lr_good`:    after 50 steps the loss is below 0.001.
3. `lr_diverge`: the loss grows: after 50 steps it is larger than at the start.
4. `edge`:       the learning rate at which this loop stops converging, to within 0.05.
                 Below it the loss shrinks; above it the loss grows. Find it by
                 experiment, or from the lesson's curvature argument.

Done when: the checker, running the same fit() with your numbers, sees a crawl, a
convergence and a divergence, and your edge is within 0.05 of the real one.
"""

import torch
import torch.nn as nn

X = torch.linspace(-1, 1, 20).reshape(-1, 1)
y = 2 * X + 1


def fit(lr, steps=50):
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


lr_crawl = None    # your code here
lr_good = None     # your code here
lr_diverge = None  # your code here
edge = None        # your code here


if __name__ == "__main__":
    for lr in [0.001, 0.01, 0.1, 0.5, 1.5]:      # try your own values here
        losses = fit(lr)
        print(f"lr {lr:<6} loss at step 0 {losses[0]:10.4g}   at step 49 {losses[-1]:10.4g}")

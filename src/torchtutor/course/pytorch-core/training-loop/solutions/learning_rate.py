"""Learning rate: crawl, converge, diverge: reference solution."""

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


lr_crawl = 0.005   # every step downhill, but tiny steps: still far off after 50
lr_good = 0.5      # big steps that never overshoot by more than they gain
lr_diverge = 1.5   # each step lands further up the other side
edge = 1.0         # the bias direction curves with 2 (d²/db² of the MSE); steps overshoot for good once lr * 2 > 2


if __name__ == "__main__":
    for lr in [0.001, 0.01, 0.1, 0.5, 1.5]:      # try your own values here
        losses = fit(lr)
        print(f"lr {lr:<6} loss at step 0 {losses[0]:10.4g}   at step 49 {losses[-1]:10.4g}")

"""One epoch of mini-batch training                                    (supported)

With a DataLoader the training loop gets a second, inner loop: one pass over the
loader is an epoch, and every batch is one step of the optimizer.

1. `train_epoch(model, loader, loss_fn, optimizer)`: train `model` for one epoch over
   `loader`, one full heartbeat per batch (clear, forward, loss, backward, step).
   Return the epoch's loss: the mean loss over all the samples of the epoch, as a
   Python float. The last batch may be shorter than the others; a sample in it counts
   as much as any other sample.
2. `EPOCHS`: how many epochs `fit` below needs to bring the line within 0.05 of
   w = 2, b = 1 (a small whole number).

The checker runs your `train_epoch` on a model, loader, loss and optimizer of its own
and watches every step; then it runs `fit()`.

Done when: every batch gets exactly one clear, forward, loss, backward and step; the
returned loss is the per-sample mean of the losses your loop computed; and `fit()`
lands within 0.05 of w = 2 and b = 1. Run this file to print the losses.
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.rand(1000, 1) * 2 - 1                     # 1,000 points in [-1, 1]
Y = 2 * X + 1 + 0.1 * torch.randn(1000, 1)          # the line, plus noise


def train_epoch(model, loader, loss_fn, optimizer):
    # your code here: one step per batch, then return the epoch's mean loss per sample
    return None


EPOCHS = None  # your code here


def fit():
    torch.manual_seed(1)
    loader = DataLoader(TensorDataset(X, Y), batch_size=64, shuffle=True)   # 15 batches of 64, one of 40
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = [train_epoch(model, loader, nn.MSELoss(), optimizer) for _ in range(EPOCHS)]
    return model, losses


if __name__ == "__main__":
    model, losses = fit()
    print("epoch losses:", [round(loss, 4) for loss in losses])
    print(f"w = {model.weight.item():.3f}, b = {model.bias.item():.3f}")

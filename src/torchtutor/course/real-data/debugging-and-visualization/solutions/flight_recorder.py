"""The flight recorder: reference solution.

One writer per run, one add_scalar per tag and step, and close() at the end: the
writer buffers events and only close() (or flush()) guarantees they are on disk.
"""

import tempfile

import torch
import torch.nn as nn
from torch.utils.tensorboard import SummaryWriter

from torchtutor.data import load_dataset


def train_logged(model, X, y, log_dir, steps):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    writer = SummaryWriter(log_dir)
    for step in range(steps):
        xb, yb = X[100 * step:100 * (step + 1)], y[100 * step:100 * (step + 1)]
        optimizer.zero_grad()
        scores = model(xb)
        loss = criterion(scores, yb)
        loss.backward()
        optimizer.step()
        writer.add_scalar("loss/train", loss.item(), step)
        writer.add_scalar("accuracy/train", (scores.argmax(dim=1) == yb).float().mean().item(), step)
    writer.close()                      # flushes the events to disk


if __name__ == "__main__":
    images, labels = load_dataset("mnist", "train", sample=True)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    with tempfile.TemporaryDirectory() as folder:
        train_logged(model, images.float() / 255, labels, folder, steps=30)
        print("logged into", folder)

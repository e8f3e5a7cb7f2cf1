"""The flight recorder: log a run with SummaryWriter                     (supported)

Write `train_logged(model, X, y, log_dir, steps)`: train `model` with
torch.optim.SGD(lr=0.1) and nn.CrossEntropyLoss for `steps` steps on mini-batches of
100 (step i uses X[100 * i : 100 * (i + 1)] and the same slice of y), and record the
whole flight with a `SummaryWriter` writing into `log_dir`:

- the tag "loss/train": the loss of each step, at global step i;
- the tag "accuracy/train": the accuracy of that batch's predictions, at step i.

Make sure the record is on disk when the function returns. Then open it:
`tensorboard --logdir <the folder>` and http://localhost:6006.

Done when: the checker runs your function on the MNIST sample into a temporary folder
and reads the event files back: both tags, one value per step, and the losses of a
real run.
"""

import tempfile

import torch
import torch.nn as nn
from torch.utils.tensorboard import SummaryWriter

from torchtutor.data import load_dataset


def train_logged(model, X, y, log_dir, steps):
    pass   # your code here


if __name__ == "__main__":
    images, labels = load_dataset("mnist", "train", sample=True)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    with tempfile.TemporaryDirectory() as folder:
        train_logged(model, images.float() / 255, labels, folder, steps=30)
        print("logged into", folder)

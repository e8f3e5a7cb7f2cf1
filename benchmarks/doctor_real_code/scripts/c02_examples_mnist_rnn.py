# Source: pytorch/examples, mnist_rnn/main.py, as of commit 65722fe (repository HEAD 77f55b9)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (an LSTM that
# reads an image row by row, Adadelta + StepLR, log_softmax + nll_loss); no code was copied.
# Changes to run offline and fast:
#   - MNIST download -> 512 train / 256 test real Fashion-MNIST images (corpus_data.fashion_mnist)
#   - epochs 14 -> 2; CPU only
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(input_size=28, hidden_size=64, batch_first=True)
        self.batchnorm = nn.BatchNorm1d(64)
        self.dropout1 = nn.Dropout2d(0.25)
        self.dropout2 = nn.Dropout2d(0.5)
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = x.reshape(-1, 28, 28)            # [B, rows, columns]
        out, _ = self.rnn(x)
        x = self.batchnorm(out[:, -1, :])
        x = self.dropout1(x)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 4 == 0:
            print(f"epoch {epoch} batch {batch_idx} loss {loss.item():.4f}")


def test(model, loader):
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            total += F.nll_loss(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    print(f"test loss {total / len(loader.dataset):.4f} accuracy {correct}/{len(loader.dataset)}")


def main():
    torch.manual_seed(1)
    train_loader = DataLoader(fashion_mnist(True, 512), batch_size=64, shuffle=True)
    test_loader = DataLoader(fashion_mnist(False, 256), batch_size=128)
    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=0.1)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    for epoch in range(1, 3):
        train(model, train_loader, optimizer, epoch)
        test(model, test_loader)
        scheduler.step()


if __name__ == "__main__":
    main()

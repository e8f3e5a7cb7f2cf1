# Source: pytorch/examples, mnist/main.py at commit f931931^ (the parent of f931931)
# Fixed by: pytorch/examples PR #117 "Remove rectifier before softmax" (commit f931931): the last
#   layer was F.relu(self.fc2(x)) before log_softmax + nll_loss
# Licence of the original: BSD-3-Clause
# Expected: activation-on-logits
# This file is a reproduction written for this corpus from the original's structure (2017 Net:
# conv 10 -> conv 20 with Dropout2d, fc 320 -> 50 -> 10, SGD lr 0.01 momentum 0.5, train(epoch)
# and test(epoch) over module-level loaders); no code was copied. The bug is kept as it was.
# Changes to run offline and on current PyTorch:
#   - MNIST download -> 512 train / 256 test real Fashion-MNIST images (corpus_data), normalised
#     with the original's MNIST mean/std
#   - Variable(...) wrappers dropped, .data[0] -> .item(), log_softmax given dim=1 (the implicit
#     dim is deprecated), and Variable(volatile=True) in test -> torch.no_grad() (volatile has no
#     effect since PyTorch 0.4)
#   - epochs 10 -> 2, no CUDA branch
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist

torch.manual_seed(1)
train_loader = DataLoader(fashion_mnist(True, 512), batch_size=64, shuffle=True)
test_loader = DataLoader(fashion_mnist(False, 256), batch_size=64, shuffle=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = F.relu(self.fc2(x))
        return F.log_softmax(x, dim=1)


model = Net()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)


def norm(x):
    return (x - 0.1307) / 0.3081


def train(epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = F.nll_loss(model(norm(data)), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 4 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(epoch):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(norm(data))
            test_loss += F.nll_loss(output, target).item()
            correct += output.max(1)[1].eq(target).sum().item()
    test_loss /= len(test_loader)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)}")


for epoch in range(1, 3):
    train(epoch)
    test(epoch)

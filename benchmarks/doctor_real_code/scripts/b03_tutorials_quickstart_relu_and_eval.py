# Source: pytorch/tutorials, beginner_source/basics/quickstart_tutorial.py as published in May 2021
#   (e.g. commit aff18d84, the one linked from issue #1540)
# Bug: two, both reported and fixed upstream:
#   - issue #1526, fixed by PRs #1644/#1654 "Remove final ReLU layer": the Linear/ReLU stack ended in
#     nn.ReLU(), so CrossEntropyLoss received rectified scores
#   - issue #1540, fixed by PR #1602: test() calls model.eval() and train() never calls model.train(),
#     so every epoch after the first trains in eval mode (harmless here: no dropout or BatchNorm)
# Licence of the original: BSD-3-Clause
# Expected: activation-on-logits, train-mode-not-restored (the second as info: nothing depends on the mode)
# This file is a reproduction written for this corpus from the original's structure; no code was
# copied. The bugs are kept as they were.
# Changes to run offline and fast: FashionMNIST download -> 512 train / 256 test real Fashion-MNIST
#   images (corpus_data); epochs 5 -> 2
import torch
from torch import nn
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist

train_dataloader = DataLoader(fashion_mnist(True, 512), batch_size=64)
test_dataloader = DataLoader(fashion_mnist(False, 256), batch_size=64)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(),
            nn.Linear(512, 512), nn.ReLU(),
            nn.Linear(512, 10), nn.ReLU())

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    for batch, (X, y) in enumerate(dataloader):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 4 == 0:
            print(f"loss: {loss.item():>7f}  [{(batch + 1) * len(X):>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    print(f"Test Error: Accuracy: {100 * correct / len(dataloader.dataset):>0.1f}%, Avg loss: {test_loss / len(dataloader):>8f}")


torch.manual_seed(0)
model = NeuralNetwork()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for t in range(2):
    print(f"Epoch {t + 1}")
    train(train_dataloader, model, loss_fn, optimizer)
    test(test_dataloader, model, loss_fn)
torch.save(model.state_dict(), "model.pth")
model = NeuralNetwork()
model.load_state_dict(torch.load("model.pth", weights_only=True))
model.eval()
with torch.no_grad():
    x, y = fashion_mnist(False, 1)[0]
    print("predicted", model(x.unsqueeze(0)).argmax(1).item(), "actual", y.item())

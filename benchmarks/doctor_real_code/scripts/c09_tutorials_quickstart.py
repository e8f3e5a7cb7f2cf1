# Source: pytorch/tutorials, beginner_source/basics/quickstart_tutorial.py, as stored at commit afcd669 (after PR #1654 removed the final ReLU and PR #1602 added model.train())
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (Flatten + Linear/ReLU stack with a linear last layer, CrossEntropyLoss, SGD lr 1e-3, train() calling model.train(), test() in eval mode under no_grad, state_dict saved and loaded);
# no code was copied.
# Changes to run offline and fast: FashionMNIST download -> 512 train / 256 test real Fashion-MNIST images (corpus_data); epochs 5 -> 2
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
            nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
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

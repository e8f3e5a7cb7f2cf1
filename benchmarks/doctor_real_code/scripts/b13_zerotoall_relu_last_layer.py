# Source: hunkim/PyTorchZeroToAll, 09_2_softmax_mnist.py before PR #4
# Fixed by: hunkim/PyTorchZeroToAll PR #4 "Remove relu in the final layer" (merged 2017-10-20): the
#   MLP's forward returned F.relu(self.l5(x)) and the loss was nn.CrossEntropyLoss
# Licence of the original: not checked; this file contains no code from it
# Expected: activation-on-logits
# This file is a minimal reproduction written for this corpus of the reported structure (an MLP
# 784-520-320-240-120-10 with ReLU between the layers and after the last one, CrossEntropyLoss,
# SGD lr 0.01 momentum 0.5, a test loop summing the loss); no code was copied.
# Changes: MNIST -> 512 train / 256 test real Fashion-MNIST images (corpus_data); epochs 9 -> 2.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist

torch.manual_seed(0)
train_loader = DataLoader(fashion_mnist(True, 512), batch_size=64, shuffle=True)
test_loader = DataLoader(fashion_mnist(False, 256), batch_size=64)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 520)
        self.l2 = nn.Linear(520, 320)
        self.l3 = nn.Linear(320, 240)
        self.l4 = nn.Linear(240, 120)
        self.l5 = nn.Linear(120, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return F.relu(self.l5(x))


model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
for epoch in range(1, 3):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = criterion(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 4 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += criterion(output, target).item()
            correct += (output.argmax(1) == target).sum().item()
    print(f"Test set: Average loss: {test_loss / len(test_loader):.4f}, Accuracy: {correct}/{len(test_loader.dataset)}")

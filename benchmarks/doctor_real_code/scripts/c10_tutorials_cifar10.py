# Source: pytorch/tutorials, beginner_source/blitz/cifar10_tutorial.py (current stored version)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (LeNet-style Net, CrossEntropyLoss, SGD lr 0.001 momentum 0.9, running_loss printed, optimizer.zero_grad before each step, state_dict saved and reloaded, accuracy under no_grad; the model has no dropout or BatchNorm and the tutorial never calls eval());
# no code was copied.
# Changes to run offline and fast: CIFAR-10 download -> 256 seeded synthetic 3x32x32 images in 10 classes (corpus_data.fake_images); epochs 2 -> 1, batch 4 -> 8
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader

from corpus_data import fake_images

torch.manual_seed(0)
trainloader = DataLoader(fake_images(256, seed=0), batch_size=8, shuffle=True)
testloader = DataLoader(fake_images(64, seed=1), batch_size=8, shuffle=False)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
for epoch in range(1):
    running_loss = 0.0
    for i, (inputs, labels) in enumerate(trainloader, 0):
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if i % 8 == 7:
            print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 8:.3f}")
            running_loss = 0.0
torch.save(net.state_dict(), "./cifar_net.pth")
net = Net()
net.load_state_dict(torch.load("./cifar_net.pth", weights_only=True))
correct = total = 0
with torch.no_grad():
    for images, labels in testloader:
        _, predicted = torch.max(net(images), 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
print(f"Accuracy of the network on the test images: {100 * correct // total} %")

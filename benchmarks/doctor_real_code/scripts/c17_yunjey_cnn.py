# Source: yunjey/pytorch-tutorial, commit 0500d3d (repository HEAD), tutorials/02-intermediate/convolutional_neural_network/main.py
# Licence of the original: MIT
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (ConvNet of two Conv-BatchNorm-ReLU-MaxPool blocks and a linear head, CrossEntropyLoss, Adam, model.eval() once after training for the test under no_grad, state_dict saved);
# no code was copied.
# Changes to run offline and fast: MNIST download -> 512 train / 256 test real Fashion-MNIST images (corpus_data); epochs 5 -> 1, batch 100 -> 64
import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist

torch.manual_seed(0)
train_loader = DataLoader(fashion_mnist(True, 512), batch_size=64, shuffle=True)
test_loader = DataLoader(fashion_mnist(False, 256), batch_size=64, shuffle=False)


class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv2d(1, 16, kernel_size=5, stride=1, padding=2),
                                    nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
        self.layer2 = nn.Sequential(nn.Conv2d(16, 32, kernel_size=5, stride=1, padding=2),
                                    nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
        self.fc = nn.Linear(7 * 7 * 32, num_classes)

    def forward(self, x):
        out = self.layer2(self.layer1(x))
        return self.fc(out.reshape(out.size(0), -1))


model = ConvNet(10)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
for epoch in range(1):
    for i, (images, labels) in enumerate(train_loader):
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (i + 1) % 4 == 0:
            print(f"Epoch [{epoch + 1}/1], Step [{i + 1}/{len(train_loader)}], Loss: {loss.item():.4f}")
model.eval()
with torch.no_grad():
    correct = total = 0
    for images, labels in test_loader:
        _, predicted = torch.max(model(images).data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    print(f"Test Accuracy of the model on the test images: {100 * correct / total} %")
torch.save(model.state_dict(), "model.ckpt")

# Source: yunjey/pytorch-tutorial, commit 0500d3d (repository HEAD), tutorials/01-basics/feedforward_neural_network/main.py
# Licence of the original: MIT
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (NeuralNet fc1-ReLU-fc2 (hidden 500), CrossEntropyLoss, Adam lr 1e-3, accuracy under no_grad, state_dict saved);
# no code was copied.
# Changes to run offline and fast: MNIST download -> 512 train / 256 test real Fashion-MNIST images (corpus_data); epochs 5 -> 2, batch 100 -> 64
import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist

torch.manual_seed(0)
input_size, hidden_size, num_classes = 784, 500, 10
train_loader = DataLoader(fashion_mnist(True, 512), batch_size=64, shuffle=True)
test_loader = DataLoader(fashion_mnist(False, 256), batch_size=64, shuffle=False)


class NeuralNet(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


model = NeuralNet(input_size, hidden_size, num_classes)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
for epoch in range(2):
    for i, (images, labels) in enumerate(train_loader):
        outputs = model(images.reshape(-1, 28 * 28))
        loss = criterion(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (i + 1) % 4 == 0:
            print(f"Epoch [{epoch + 1}/2], Step [{i + 1}/{len(train_loader)}], Loss: {loss.item():.4f}")
with torch.no_grad():
    correct = total = 0
    for images, labels in test_loader:
        _, predicted = torch.max(model(images.reshape(-1, 28 * 28)).data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    print(f"Accuracy of the network on the test images: {100 * correct / total} %")
torch.save(model.state_dict(), "model.ckpt")

# Source: yunjey/pytorch-tutorial, commit 0500d3d (repository HEAD), tutorials/01-basics/logistic_regression/main.py
# Licence of the original: MIT
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (one nn.Linear(784, 10) on flattened images, CrossEntropyLoss, SGD lr 1e-3, accuracy under no_grad, state_dict saved);
# no code was copied.
# Changes to run offline and fast: MNIST download -> 512 train / 256 test real Fashion-MNIST images (corpus_data); epochs 5 -> 2, batch 100 -> 64
import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist

torch.manual_seed(0)
input_size, num_classes, num_epochs, batch_size, learning_rate = 28 * 28, 10, 2, 64, 0.001
train_loader = DataLoader(fashion_mnist(True, 512), batch_size=batch_size, shuffle=True)
test_loader = DataLoader(fashion_mnist(False, 256), batch_size=batch_size, shuffle=False)
model = nn.Linear(input_size, num_classes)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train_loader):
        images = images.reshape(-1, input_size)
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (i + 1) % 4 == 0:
            print(f"Epoch [{epoch + 1}/{num_epochs}], Step [{i + 1}/{total_step}], Loss: {loss.item():.4f}")
with torch.no_grad():
    correct = total = 0
    for images, labels in test_loader:
        _, predicted = torch.max(model(images.reshape(-1, input_size)).data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum()
    print(f"Accuracy of the model on the test images: {100 * correct / total} %")
torch.save(model.state_dict(), "model.ckpt")

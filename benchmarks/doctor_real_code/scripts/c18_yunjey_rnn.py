# Source: yunjey/pytorch-tutorial, commit 0500d3d (repository HEAD), tutorials/02-intermediate/recurrent_neural_network/main.py
# Licence of the original: MIT
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (a 2-layer LSTM reading 28 rows of 28 pixels, h0/c0 zeros made in forward, the last step into nn.Linear, CrossEntropyLoss, Adam lr 0.01, accuracy under no_grad);
# no code was copied.
# Changes to run offline and fast: MNIST download -> 512 train / 256 test real Fashion-MNIST images (corpus_data); epochs 2 -> 1, hidden 128 -> 64, batch 100 -> 64
import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist

torch.manual_seed(0)
sequence_length, input_size, hidden_size, num_layers, num_classes = 28, 28, 64, 2, 10
train_loader = DataLoader(fashion_mnist(True, 512), batch_size=64, shuffle=True)
test_loader = DataLoader(fashion_mnist(False, 256), batch_size=64, shuffle=False)


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, num_classes):
        super().__init__()
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        out, _ = self.lstm(x, (h0, c0))
        return self.fc(out[:, -1, :])


model = RNN(input_size, hidden_size, num_layers, num_classes)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(1):
    for i, (images, labels) in enumerate(train_loader):
        images = images.reshape(-1, sequence_length, input_size)
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (i + 1) % 4 == 0:
            print(f"Epoch [{epoch + 1}/1], Step [{i + 1}/{len(train_loader)}], Loss: {loss.item():.4f}")
with torch.no_grad():
    correct = total = 0
    for images, labels in test_loader:
        _, predicted = torch.max(model(images.reshape(-1, sequence_length, input_size)).data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    print(f"Test Accuracy of the model on the test images: {100 * correct / total} %")

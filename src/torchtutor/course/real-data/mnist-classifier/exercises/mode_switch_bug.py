"""The model that forgot to train                                       (supported)

A colleague's training script runs without errors, but their network with dropout
and batch norm ends up no better than one without them, and its training loss drops
suspiciously fast after the first epoch. The script is below.

Find the mistake and fix `fit` so that every training step runs in training mode and
every evaluation in evaluation mode. Keep `evaluate` as it is: it is correct.

The checker runs your `fit` on a model and loaders of its own and records, for every
forward pass, the mode the model was in and whether the pass was trained on.

Done when: every forward pass whose loss is backpropagated ran in train() mode, every
evaluation ran in eval() mode under no_grad, and fit returns one test accuracy per
epoch. Run this file to train on the MNIST sample.
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def evaluate(model, loader):
    model.eval()
    correct, count = 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
            count += len(yb)
    return correct / count


def fit(model, train_loader, test_loader, epochs):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    history = []
    for epoch in range(epochs):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        history.append(evaluate(model, test_loader))
    return history


if __name__ == "__main__":
    from torchtutor.data import load_dataset

    def prepare(images):
        return ((images.float() / 255 - 0.1307) / 0.3081).unsqueeze(1)

    train_images, train_labels = load_dataset("mnist", "train", sample=True)
    test_images, test_labels = load_dataset("mnist", "test", sample=True)
    train_loader = DataLoader(TensorDataset(prepare(train_images), train_labels), batch_size=64, shuffle=True)
    test_loader = DataLoader(TensorDataset(prepare(test_images), test_labels), batch_size=500)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(128, 10))
    print("test accuracy per epoch:", fit(model, train_loader, test_loader, epochs=3))

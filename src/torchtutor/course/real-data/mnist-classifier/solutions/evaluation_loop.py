"""The evaluation loop: reference solution."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def evaluate(model, loader):
    model.eval()                                        # dropout off, batch norm on its running statistics
    correct, count = 0, 0
    with torch.no_grad():                               # nothing will be walked backward
        for xb, yb in loader:
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
            count += len(yb)
    return correct / count                              # every sample counts once


if __name__ == "__main__":
    from torchtutor.data import load_dataset

    def prepare(images):
        return ((images.float() / 255 - 0.1307) / 0.3081).unsqueeze(1)

    train_images, train_labels = load_dataset("mnist", "train", sample=True)
    test_images, test_labels = load_dataset("mnist", "test", sample=True)
    train_loader = DataLoader(TensorDataset(prepare(train_images), train_labels), batch_size=64, shuffle=True)
    test_loader = DataLoader(TensorDataset(prepare(test_images), test_labels), batch_size=300)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        optimizer.step()
    print("test accuracy:", evaluate(model, test_loader))
    print("and again:    ", evaluate(model, test_loader))

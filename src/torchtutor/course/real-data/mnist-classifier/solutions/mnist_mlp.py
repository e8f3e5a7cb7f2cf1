"""Train a real MNIST classifier: reference solution."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from torchtutor.data import load_dataset

MEAN, STD = 0.1307, 0.3081


def prepare(images):
    """uint8 [N, 28, 28] -> normalised float [N, 1, 28, 28]."""
    return ((images.float() / 255 - MEAN) / STD).unsqueeze(1)


def build_model():
    return nn.Sequential(
        nn.Flatten(),                  # [N, 1, 28, 28] -> [N, 784]
        nn.Linear(784, 128),
        nn.ReLU(),
        nn.Dropout(0.2),               # active in train(), off in eval()
        nn.Linear(128, 10),            # ten raw logits: nn.CrossEntropyLoss applies the softmax
    )


def make_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)


def train_epoch(model, loader, optimizer):
    criterion = nn.CrossEntropyLoss()
    model.train()                      # an evaluation may have left it in eval mode
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()


EPOCHS = 5


if __name__ == "__main__":
    train_images, train_labels = load_dataset("mnist", "train", sample=True)
    test_images, test_labels = load_dataset("mnist", "test", sample=True)
    loader = DataLoader(TensorDataset(prepare(train_images), train_labels), batch_size=64, shuffle=True)
    torch.manual_seed(0)
    model = build_model()
    optimizer = make_optimizer(model)
    for epoch in range(EPOCHS):
        train_epoch(model, loader, optimizer)
        model.eval()
        with torch.no_grad():
            accuracy = (model(prepare(test_images)).argmax(dim=1) == test_labels).float().mean().item()
        print(f"epoch {epoch}: test accuracy {accuracy:.3f}")

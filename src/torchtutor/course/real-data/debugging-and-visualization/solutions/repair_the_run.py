"""Repair the run: reference solution.

Two silent bugs. Raw pixels of 0 to 255 made the first SGD steps so large that every
ReLU died and the model learned only the label frequencies (a class-prior plateau: the
loss fell to ln 10 and stayed, accuracy 10%). Dividing by 255 fixes it. And evaluation
built an autograd graph for nothing: it now runs in eval mode under torch.no_grad().
"""

import torch
import torch.nn as nn

from torchtutor.data import load_dataset


def prepare(images):
    """uint8 images [N, 28, 28] -> float inputs for the model."""
    return images.float() / 255          # pixels in [0, 1], not 0 to 255


def make_model():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def train(model, X, y, epochs=2, batch_size=100, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():                 # evaluation records no graph
        predictions = model(X).argmax(dim=1)
    model.train()
    return (predictions == y).float().mean().item()


def main():
    torch.manual_seed(0)
    train_images, train_labels = load_dataset("mnist", "train", sample=True)
    test_images, test_labels = load_dataset("mnist", "test", sample=True)
    model = make_model()
    losses = train(model, prepare(train_images), train_labels)
    accuracy = evaluate(model, prepare(test_images), test_labels)
    print(f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, test accuracy {accuracy:.1%}")
    return accuracy


if __name__ == "__main__":
    main()

"""Repair the run: a silently broken training script                  (independent)

A colleague's MNIST script runs without an error and its loss goes down, yet the
model is useless. Run it and read its numbers. Then debug it with the checklist (or
`torchtutor doctor` on this file: `torchtutor doctor repair_the_run.py`) and repair
it. Keep the functions and what they return; change what is wrong inside them.

Done when: the checker runs your `main()` under the doctor's own detectors
(`torchtutor.diagnose`) and they find nothing to warn about, and the model reaches at
least 80% accuracy on the 1,000 test digits of the sample.
"""

import torch
import torch.nn as nn

from torchtutor.data import load_dataset


def prepare(images):
    """uint8 images [N, 28, 28] -> float inputs for the model."""
    return images.float()


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
    predictions = model(X).argmax(dim=1)
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

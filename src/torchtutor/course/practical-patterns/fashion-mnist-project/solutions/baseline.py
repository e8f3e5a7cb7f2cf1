"""Milestone 2: a baseline you can trust: reference solution."""

import torch
import torch.nn as nn

MEAN, STD = 0.286, 0.353          # Fashion-MNIST's training pixels, scaled to [0, 1]


def prepare(images):
    return ((images.float() / 255 - MEAN) / STD).reshape(len(images), -1)


def build_baseline():
    return nn.Linear(28 * 28, 10)   # multinomial logistic regression: 7,850 parameters


def train(model, images, labels):
    X, y = prepare(images), labels
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(3):
        order = torch.randperm(len(X))
        for start in range(0, len(X), 64):
            batch = order[start:start + 64]
            optimizer.zero_grad()
            loss = criterion(model(X[batch]), y[batch])
            loss.backward()
            optimizer.step()


def evaluate(model, images, labels):
    model.eval()
    with torch.no_grad():
        predicted = model(prepare(images)).argmax(dim=1)
    return (predicted == labels).float().mean().item()

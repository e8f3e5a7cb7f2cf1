"""The device-aware loop: reference solution."""

import torch
import torch.nn as nn


def train(model, loader, device, epochs=3, lr=0.01):
    model.to(device)                                          # 1: the model, before its optimizer
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(epochs):
        model.train()
        for inputs, targets in loader:
            inputs = inputs.to(device)                        # 2: each batch...
            targets = targets.to(device)                      # 3: ...and its labels
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses

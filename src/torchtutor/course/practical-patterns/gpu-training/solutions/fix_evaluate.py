"""Fix the evaluation that crashes on the GPU: reference solution."""

import torch


def evaluate(model, loader):
    device = next(model.parameters()).device      # wherever the model's weights are
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs = inputs.to(device)
            targets = targets.to(device)
            predictions = model(inputs).argmax(dim=1)
            correct += (predictions == targets).sum().item()
            total += len(targets)
    return correct / total

"""Fix the evaluation that crashes on the GPU                           (supported)

A colleague's training script works on their laptop. On the lab's GPU machine
the training finishes, and then `evaluate` stops with:

    RuntimeError: Expected all tensors to be on the same device, but found at
    least two devices, cuda:0 and cpu!

`evaluate(model, loader)` receives a model that may live on any device (it was
trained wherever the script ran) and a DataLoader that yields CPU batches. Fix
it so that it works wherever the model is, without adding a parameter: the
model itself knows where its weights are. Keep what it returns: the fraction
of the loader's samples that the model classifies correctly, as a float.

What the checker does: it evaluates a trained model on the CPU and compares
your accuracy with its own; then it puts the model on the "meta" device (the
lesson's stand-in for a GPU; its tensors have no numbers, so accuracy there
comes out as 0.0) and checks that every batch joins the model there.
"""

import torch


def evaluate(model, loader):
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, targets in loader:
            predictions = model(inputs).argmax(dim=1)
            correct += (predictions == targets).sum().item()
            total += len(targets)
    return correct / total

"""Train a real MNIST classifier                                        (supported)

Put the lesson together on the real MNIST sample: 4,000 training digits and 1,000
held-out test digits.

1. `build_model()`: a fresh network that takes a batch of images [N, 1, 28, 28] and
   returns ten raw logits per image, [N, 10]. Flatten the images with nn.Flatten, use
   at least one hidden layer with a ReLU, and put an nn.Dropout after the hidden
   layer. No softmax at the end: the loss applies it.
2. `make_optimizer(model)`: torch.optim.Adam over the model's parameters, with L2
   regularisation through weight_decay (1e-4 is a good start).
3. `train_epoch(model, loader, optimizer)`: one epoch of training with
   nn.CrossEntropyLoss, one step per batch. The model may arrive in eval mode (an
   evaluation ran before), so make sure it trains in training mode.
4. `EPOCHS`: how many epochs it takes to pass 90% on the test digits (keep it at 10
   or fewer, so the check stays quick).

The checker builds your model, watches one epoch of your train_epoch, trains a fresh
model for EPOCHS epochs on the training sample, and measures it on the test sample
with its own evaluation loop.

Done when: the model returns [N, 10] logits and has dropout, the optimizer has weight
decay, every batch is one clean training step in train() mode, and the trained model
scores above 90% on the 1,000 test digits. Run this file to train and print the
accuracy after each epoch.
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from torchtutor.data import load_dataset

MEAN, STD = 0.1307, 0.3081


def prepare(images):
    """uint8 [N, 28, 28] -> normalised float [N, 1, 28, 28]."""
    return ((images.float() / 255 - MEAN) / STD).unsqueeze(1)


def build_model():
    return None  # your code here


def make_optimizer(model):
    return None  # your code here


def train_epoch(model, loader, optimizer):
    pass  # your code here


EPOCHS = None  # your code here


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

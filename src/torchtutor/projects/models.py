"""The two reference models for 28x28 grey images in 10 classes, both regularised.

``mlp``: Flatten, then two hidden layers with BatchNorm1d and Dropout. A fully connected
model sees pixels, not shapes, so it tops out near 89-90% on Fashion-MNIST ("the 5% gap").

``cnn``: three 3x3 convolution blocks (convolution, BatchNorm2d, ReLU, 2x2 max-pool) that
halve the image each time (28 -> 14 -> 7 -> 3) with 24, 48 and 96 channels, then a small
classifier with Dropout. It is sized for a laptop CPU: about 4.4 million multiply-adds per
image.

Both take a float batch [N, 1, 28, 28] (already scaled and normalised) and return raw
logits [N, 10]: ``nn.CrossEntropyLoss`` applies the softmax itself.
"""

from __future__ import annotations

from torch import nn

MODELS = ("mlp", "cnn")


def mlp(hidden: int = 1024, dropout: float = 0.3) -> nn.Module:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden // 2), nn.BatchNorm1d(hidden // 2), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden // 2, 10),
    )


def _block(c_in: int, c_out: int) -> nn.Sequential:
    # bias=False: the BatchNorm right after adds its own shift, so a conv bias would be wasted
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
                         nn.MaxPool2d(2))


def cnn(width: int = 24, dropout: float = 0.2) -> nn.Module:
    return nn.Sequential(
        _block(1, width), _block(width, 2 * width), _block(2 * width, 4 * width),   # 28 -> 14 -> 7 -> 3
        nn.Flatten(),
        nn.Linear(4 * width * 3 * 3, 256), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(256, 10),
    )


def build(name: str, width: int = 24) -> nn.Module:
    return mlp() if name == "mlp" else cnn(width)

"""Offline stand-ins for the datasets the corpus scripts downloaded.

Written for this corpus (not taken from any repository). The real-code benchmark copies this
file next to each script, so a script can say ``from corpus_data import fashion_mnist``
where the original called ``datasets.MNIST(..., download=True)``.

- ``fashion_mnist(train, n)``: the first ``n`` images of the real Fashion-MNIST from Debian's
  ``dataset-fashion-mnist`` (IDX files under /usr/share/datasets/fashion-mnist/, or the folder
  named by $FASHION_MNIST_DIR), as a TensorDataset of float images in [0, 1] shaped
  [n, 1, 28, 28] and int64 labels. It has the shape and the ten classes of MNIST.
- ``fake_images(n, channels, size, classes)``: seeded random images and labels, for scripts
  whose data (CIFAR-10, ImageNet) cannot be had offline.
"""
from __future__ import annotations

import gzip
import os
import struct

import torch
from torch.utils.data import TensorDataset

FASHION_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def _idx(path: str, count: int) -> torch.Tensor:
    with gzip.open(path, "rb") as fh:
        magic, total = struct.unpack(">II", fh.read(8))
        dims = [struct.unpack(">I", fh.read(4))[0] for _ in range((magic & 0xFF) - 1)]
        count = min(count, total)
        item = 1
        for d in dims:
            item *= d
        raw = fh.read(count * item)
    return torch.frombuffer(bytearray(raw), dtype=torch.uint8).reshape(count, *dims)


def fashion_mnist(train: bool = True, n: int = 512) -> TensorDataset:
    prefix = "train" if train else "t10k"
    images = _idx(os.path.join(FASHION_DIR, f"{prefix}-images-idx3-ubyte.gz"), n)
    labels = _idx(os.path.join(FASHION_DIR, f"{prefix}-labels-idx1-ubyte.gz"), n)
    return TensorDataset(images.unsqueeze(1).float() / 255.0, labels.long())


def fake_images(n: int = 256, channels: int = 3, size: int = 32, classes: int = 10,
                seed: int = 0) -> TensorDataset:
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, classes, (n,), generator=g)
    images = torch.rand(n, channels, size, size, generator=g)
    # a weak class signal, so a model can learn something
    images[:, 0, 0, :] += labels.float().unsqueeze(1) / classes
    return TensorDataset(images, labels)

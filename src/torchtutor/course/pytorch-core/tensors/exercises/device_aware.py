"""Device-aware code  (level: independent)

Write three small functions that make code run the same on a laptop and on a
machine with a GPU.

1. `pick_device()` returns torch.device("cuda") when PyTorch can see a GPU,
   and torch.device("cpu") otherwise.
2. `predict(X, W, b)` returns X @ W + b, computed on the device X lives on, and
   returns it there. W (shape (F, K)) and b (shape (K,)) may have been created
   somewhere else, the CPU say, while X sits on the GPU.
3. `to_numpy(t)` returns a NumPy array of the values of a tensor t that may be
   on the GPU and may be tracking gradients (the autograd lesson explains that
   part; here, use the chain the lesson previews).

What the checker does, even without a GPU: it asks `pick_device()` twice, once
while pretending that a GPU is there. It runs `predict` on ordinary CPU tensors
and compares values; then it puts X on PyTorch's "meta" device (tensors with a
shape and no data; the lesson explains it), leaves W and b on the CPU, and
makes any operation that mixes two devices fail the way it does on a GPU.
It gives `to_numpy` a tensor that tracks gradients and a tensor on "meta", and
checks that your function takes each step the chain needs.
"""

import torch


def pick_device():
    return None  # your code here


def predict(X, W, b):
    return None  # your code here


def to_numpy(t):
    return None  # your code here

"""The shared-memory surprise: reference solution."""

import numpy as np
import torch


def snapshot(arr):
    return torch.tensor(arr, dtype=torch.float32)   # torch.tensor always copies


def to_array(t):
    return t.numpy().copy()                          # .numpy() shares; .copy() makes it independent


if __name__ == "__main__":
    buffer = np.zeros((2, 3), dtype=np.float32)
    kept = []
    for i in range(3):
        buffer[:] = i
        kept.append(snapshot(buffer))
    print([k[0, 0].item() for k in kept])   # [0.0, 1.0, 2.0]

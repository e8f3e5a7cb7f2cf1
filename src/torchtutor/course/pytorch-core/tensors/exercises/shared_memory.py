"""The shared-memory surprise  (level: supported)

A colleague's loader reuses one NumPy buffer for every batch, and keeps a tensor
of each batch for later:

    buffer = np.zeros((2, 3), dtype=np.float32)
    kept = []
    for i in range(3):
        buffer[:] = i                  # load batch i into the buffer
        kept.append(snapshot(buffer))  # keep a tensor of it

They expected the kept tensors to hold 0, 1 and 2. All three hold 2. The loop at
the bottom of this file reproduces it: run `python shared_memory.py` and see.

Fix the two conversion functions so that what they return is independent of
what they were given:

1. `snapshot(arr)`: a float32 tensor with the values of the NumPy array `arr`
   (which may be float32 or float64), unaffected by later changes to `arr`.
2. `to_array(t)`: a NumPy array with the values of the tensor `t` (on the CPU),
   unaffected by later changes to `t`.

What the checker does: calls `snapshot` on a float64 and on a float32 array,
changes each array afterwards and looks at your tensor; then calls `to_array`
on a tensor, changes the tensor and looks at your array.
"""

import numpy as np
import torch


def snapshot(arr):
    return torch.from_numpy(arr)


def to_array(t):
    return t.numpy()


if __name__ == "__main__":
    buffer = np.zeros((2, 3), dtype=np.float32)
    kept = []
    for i in range(3):
        buffer[:] = i
        kept.append(snapshot(buffer))
    print([k[0, 0].item() for k in kept])   # hoped for [0.0, 1.0, 2.0]

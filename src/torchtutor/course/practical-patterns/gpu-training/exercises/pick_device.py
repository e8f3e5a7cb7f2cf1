"""The portable device line                                              (guided)

Write the two pieces every portable script starts with.

1. `pick_device()` returns torch.device("cuda") when PyTorch can see a CUDA
   GPU, and torch.device("cpu") otherwise. Ask PyTorch every time; never write
   the answer into the code.
2. `batch_to_device(inputs, labels, device)` returns the pair (inputs, labels),
   both on `device`. A DataLoader hands every batch out on the CPU.

What the checker does, with or without a GPU: it calls `pick_device()` as it
is, then again while PyTorch is made to report a GPU, and again while it is
made to report none; each time your function must follow what PyTorch says.
It gives `batch_to_device` a CPU batch and asks for the "meta" device, the
lesson's stand-in for a GPU, and looks where the two tensors you return live.
"""

import torch


def pick_device():
    return None  # your code here


def batch_to_device(inputs, labels, device):
    return None  # your code here


if __name__ == "__main__":
    device = pick_device()
    print("device:", device)
    x, y = batch_to_device(torch.randn(4, 3), torch.tensor([0, 1, 0, 1]), device)
    print(x.device, y.device)

"""Fix the plumbing: reference solution.

nn.Flatten turns [B, 1, 28, 28] into [B, 784], so the first Linear must take 784
inputs. The error message named both sizes: 64x784 arriving, 28x128 expected.
"""

import torch
import torch.nn as nn


def make_model():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 128),     # 1 x 28 x 28 = 784 values per image after Flatten
        nn.ReLU(),
        nn.Linear(128, 10),
    )


if __name__ == "__main__":
    model = make_model()
    print(model(torch.zeros(64, 1, 28, 28)).shape)

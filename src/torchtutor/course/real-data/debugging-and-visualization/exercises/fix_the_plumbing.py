"""Fix the plumbing: a shape mismatch                                      (guided)

`make_model()` should build a classifier that takes a batch of images shaped
[B, 1, 28, 28] and returns ten scores per image, [B, 10], with one hidden layer of
128 ReLU units. Run the file: it crashes with a shape error. Read the two sizes in
the message, find the joint where they meet, and fix the one number that is wrong.

Done when: the checker builds your model, feeds it batches of 28 x 28 images and
gets [B, 10] back, from a model with a 128-unit hidden layer.
"""

import torch
import torch.nn as nn


def make_model():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


if __name__ == "__main__":
    model = make_model()
    print(model(torch.zeros(64, 1, 28, 28)).shape)

"""Milestone 2: a baseline you can trust                              (supported)

Step 1 of the method: the simplest model that could possibly work, trained,
and measured honestly. Write four functions.

- `prepare(images)`: turn uint8 images [N, 28, 28] as `load_dataset` gives them
  into the float tensor your model takes (scaled, normalised, flattened if
  your model wants that). Use fixed statistics, not ones computed per call.
- `build_baseline()`: a fresh, untrained model. A baseline is simple: at most
  one hidden layer, and no more than 120,000 parameters.
- `train(model, images, labels)`: train the model in place on uint8 training
  images and their labels, with your choice of optimizer, batch size and
  epochs. Keep it quick: the checker runs it on the 4,000 sample images.
- `evaluate(model, images, labels)`: the fraction (0 to 1) of the images the
  model classifies correctly, as a Python float: in eval mode, without
  gradients, over all the images given.

What the checker does: it builds your baseline, trains it with your `train` on
the sample's training images, and measures it itself on the sample's 1,000
test images: that accuracy must be at least 75%. It compares your `evaluate`
with its own measurement, on your model and on a model of its own that has a
dropout layer.
"""

import torch
import torch.nn as nn

from torchtutor.data import load_dataset


def prepare(images):
    return None  # your code here


def build_baseline():
    return None  # your code here


def train(model, images, labels):
    pass  # your code here


def evaluate(model, images, labels):
    return None  # your code here


if __name__ == "__main__":
    train_set = load_dataset("fashion-mnist", "train", sample=True)
    test_set = load_dataset("fashion-mnist", "test", sample=True)
    model = build_baseline()
    train(model, *train_set)
    print(f"test accuracy: {evaluate(model, *test_set):.1%}")

"""Milestone 1: meet the classes                                         (guided)

Before any model, look at the data. Write three functions; each receives the
images and labels exactly as `load_dataset` returns them (uint8 images
[N, 28, 28], int64 labels [N]).

1. `class_counts(labels)`: an int64 tensor of 10 counts, one per class, in
   class order. A class with no images in `labels` counts 0: there are always
   ten entries.
2. `mean_images(images, labels)`: a float tensor [10, 28, 28], the average
   image of each class with pixels scaled to [0, 1].
3. `closest_pair(images, labels, classes)`: the names of the two different
   classes whose average images are closest (Euclidean distance between the
   flattened average images), as a tuple of two strings from `classes`.

What the checker does: it calls each function on the shipped sample and on
shuffled subsets of it (one of them has no Ankle boots at all), and compares
your results with its own. Run the file to print yours.
"""

import torch

from torchtutor.data import load_dataset


def class_counts(labels):
    return None  # your code here


def mean_images(images, labels):
    return None  # your code here


def closest_pair(images, labels, classes):
    return None  # your code here


if __name__ == "__main__":
    train = load_dataset("fashion-mnist", "train", sample=True)
    images, labels = train
    print("counts:", class_counts(labels))
    print("closest:", closest_pair(images, labels, train.classes))

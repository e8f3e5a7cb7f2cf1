"""Normalise with the training statistics, per sample                  (supported)

Prepare MNIST images the way the lesson did, with torchvision transforms, and apply
them where they belong: one sample at a time, inside `__getitem__`.

1. `MEAN` and `STD`: the mean and the standard deviation of all pixels of the
   TRAINING images, measured on the scale ToTensor produces (pixels from 0 to 1, not
   0 to 255). Plain Python floats. Compute them from `train_images`; do not type the
   numbers in.
2. `transform`: a `transforms.Compose` that turns one uint8 image (a NumPy array of
   shape [28, 28]) into a float tensor of shape [1, 28, 28], normalised with MEAN and
   STD.
3. `DigitDataset(images, labels, transform)`: keep the raw uint8 images; in
   `__getitem__`, apply the transform to the one image asked for and return
   `(image, label)`.
4. `train_set` and `test_set`: a DigitDataset over each split, both prepared with the
   training statistics.

The checker measures the statistics itself, runs your transform on images of its
own, builds your DigitDataset with a transform that counts its calls, and reads
samples from `train_set` and `test_set`.

Done when: MEAN and STD are the training pixels' statistics in [0, 1] units; the
transform produces ((pixel / 255) - MEAN) / STD with shape [1, 28, 28]; the Dataset
calls the transform once per sample fetched and never when it is created; and both
sets are normalised with the training statistics.
"""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from torchtutor.data import load_dataset

train_images, train_labels = load_dataset("mnist", "train", sample=True)    # uint8 [N, 28, 28], int64 [N]
test_images, test_labels = load_dataset("mnist", "test", sample=True)

# 1. The statistics of the training pixels, on the [0, 1] scale.
MEAN = None  # your code here
STD = None  # your code here

# 2. One image in, one normalised [1, 28, 28] tensor out.
transform = None  # your code here


# 3. A Dataset that prepares each sample when it is fetched.
class DigitDataset(Dataset):
    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return None  # your code here


# 4. Both splits, prepared the same way.
train_set = None  # your code here
test_set = None  # your code here


if __name__ == "__main__":
    print(f"MEAN = {MEAN}, STD = {STD}")
    xb, yb = next(iter(DataLoader(train_set, batch_size=256)))
    print(f"a training batch: {list(xb.shape)}, mean {xb.mean():.3f}, std {xb.std():.3f}")

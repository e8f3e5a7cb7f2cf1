"""Normalise with the training statistics, per sample: reference solution."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from torchtutor.data import load_dataset

train_images, train_labels = load_dataset("mnist", "train", sample=True)    # uint8 [N, 28, 28], int64 [N]
test_images, test_labels = load_dataset("mnist", "test", sample=True)

# 1. The statistics of the training pixels, on the [0, 1] scale.
pixels = train_images.float() / 255
MEAN = pixels.mean().item()
STD = pixels.std().item()

# 2. One image in, one normalised [1, 28, 28] tensor out.
transform = transforms.Compose([
    transforms.ToTensor(),                      # uint8 [28, 28] -> float [1, 28, 28] in [0, 1]
    transforms.Normalize((MEAN,), (STD,)),      # (x - MEAN) / STD
])


# 3. A Dataset that prepares each sample when it is fetched.
class DigitDataset(Dataset):
    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image = self.transform(self.images[index].numpy())     # ToTensor takes a NumPy array
        return image, self.labels[index]


# 4. Both splits, prepared the same way.
train_set = DigitDataset(train_images, train_labels, transform)
test_set = DigitDataset(test_images, test_labels, transform)


if __name__ == "__main__":
    print(f"MEAN = {MEAN}, STD = {STD}")
    xb, yb = next(iter(DataLoader(train_set, batch_size=256)))
    print(f"a training batch: {list(xb.shape)}, mean {xb.mean():.3f}, std {xb.std():.3f}")

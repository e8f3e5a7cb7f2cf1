"""What a DataLoader serves: reference solution."""

import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
images = torch.rand(230, 1, 28, 28)             # 230 samples, each [1, 28, 28]
labels = torch.randint(0, 10, (230,))           # one integer label per sample
dataset = TensorDataset(images, labels)
loader = DataLoader(dataset, batch_size=50)

first_images_shape = [50, 1, 28, 28]    # 50 samples stacked in front of [1, 28, 28]
first_labels_shape = [50]               # 50 integer labels in one tensor
labels_dtype = torch.int64
n_batches = 5                           # 230 / 50 = 4.6, rounded up
last_batch_size = 30                    # 230 - 4 * 50
n_batches_drop_last = 4                 # the short batch is dropped


if __name__ == "__main__":
    for name in ["first_images_shape", "first_labels_shape", "labels_dtype", "n_batches", "last_batch_size",
                 "n_batches_drop_last"]:
        print(f"{name:20} {globals()[name]}")

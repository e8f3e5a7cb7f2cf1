"""What a DataLoader serves                                            (guided)

`dataset` below holds 230 MNIST-sized samples: each is an image of shape [1, 28, 28]
and an integer label. `loader` serves it in batches of 50.

Fill in what the loader produces. You may work it out, or run code to look (both are
fine; predicting first and then checking is the better exercise):

1. `first_images_shape`: the shape of the images in the first batch, as a list.
2. `first_labels_shape`: the shape of the labels in the first batch, as a list.
3. `labels_dtype`: the dtype of the batch of labels (a torch dtype such as torch.float32).
4. `n_batches`: how many batches one epoch of `loader` serves.
5. `last_batch_size`: how many samples the last batch of an epoch holds.
6. `n_batches_drop_last`: how many batches the same loader would serve with
   drop_last=True.

Done when: all six match what the DataLoader really does.
"""

import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
images = torch.rand(230, 1, 28, 28)             # 230 samples, each [1, 28, 28]
labels = torch.randint(0, 10, (230,))           # one integer label per sample
dataset = TensorDataset(images, labels)
loader = DataLoader(dataset, batch_size=50)

first_images_shape = None  # your answer, e.g. [2, 3]
first_labels_shape = None  # your answer
labels_dtype = None  # your answer, e.g. torch.float32
n_batches = None  # your answer
last_batch_size = None  # your answer
n_batches_drop_last = None  # your answer


if __name__ == "__main__":
    for name in ["first_images_shape", "first_labels_shape", "labels_dtype", "n_batches", "last_batch_size",
                 "n_batches_drop_last"]:
        print(f"{name:20} {globals()[name]}")

"""A lazy Dataset over a folder of files                               (independent)

Real datasets arrive as folders of files, often more than fit in memory. Write a
Dataset that reads a file only when a sample is asked for.

The folder holds one file per sample, named sample_0000.pt, sample_0001.pt, ...:
sample `i` is the file whose number is `i`. Each file holds a dict
{"image": uint8 tensor [28, 28], "label": int}, written with torch.save. The folder
may hold other files too (a README, say); they are not samples.

1. `FolderDataset(folder)`: `len()` is the number of sample files; `dataset[i]`
   returns `(image, label)` for sample `i`, with the image as float in [0, 1] of shape
   [1, 28, 28] and the label as it was stored. Creating the Dataset must not read any
   sample file, and fetching one sample must read only that sample's file.
2. `make_loader(folder, batch_size)`: a DataLoader over a FolderDataset of `folder`
   for training: batches of `batch_size`, in a new random order every epoch.

`write_folder` below writes such a folder of digits, so you can try your code; the
checker writes folders of its own and counts the files your code reads.

Done when: both work as described on the checker's folders, with no file read until a
sample is requested.
"""

import tempfile
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset


# your code here: class FolderDataset(Dataset) and def make_loader(folder, batch_size)


def write_folder(folder, n=100):
    """Write n digit-like samples into folder, one file each, plus a README that is not a sample."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(0)
    for i in range(n):
        image = torch.randint(0, 256, (28, 28), dtype=torch.uint8, generator=generator)
        torch.save({"image": image, "label": i % 10}, folder / f"sample_{i:04d}.pt")
    (folder / "README.txt").write_text("One sample per .pt file.\n")
    return folder


if __name__ == "__main__":
    folder = write_folder(Path(tempfile.mkdtemp()) / "digits")
    dataset = FolderDataset(folder)
    print("samples:", len(dataset))
    image, label = dataset[7]
    print("dataset[7]:", list(image.shape), image.dtype, "label", label)
    xb, yb = next(iter(make_loader(folder, 16)))
    print("a batch:", list(xb.shape), yb.tolist())

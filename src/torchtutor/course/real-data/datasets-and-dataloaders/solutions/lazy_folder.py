"""A lazy Dataset over a folder of files: reference solution."""

import tempfile
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset


class FolderDataset(Dataset):
    def __init__(self, folder):
        self.files = sorted(Path(folder).glob("sample_*.pt"))    # names only; sorted, so index i is sample_i

    def __len__(self):
        return len(self.files)

    def __getitem__(self, index):
        record = torch.load(self.files[index])                   # read this one file, now
        image = record["image"].float().div(255).unsqueeze(0)    # [1, 28, 28] in [0, 1]
        return image, record["label"]


def make_loader(folder, batch_size):
    return DataLoader(FolderDataset(folder), batch_size=batch_size, shuffle=True)


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

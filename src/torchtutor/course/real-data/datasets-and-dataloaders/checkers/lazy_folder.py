"""Checker for datasets-and-dataloaders/lazy-folder: a Dataset that reads a file only when a sample is asked for."""

import tempfile
from pathlib import Path

import torch

from torchtutor.checks import describe, fail

import _loaders as ld

N = 23


class LoadCounter:
    """Counts torch.load calls made anywhere (the learner may call torch.load or a name imported from it)."""

    def __init__(self, ex):
        self.ex, self.paths = ex, []
        self.original = torch.load

    def __enter__(self):
        def counted(f, *args, **kwargs):
            self.paths.append(Path(str(f)).name if isinstance(f, (str, Path)) else "<file object>")
            return self.original(f, *args, **kwargs)

        self.replaced = [name for name, value in self.ex.namespace.items() if value is self.original]
        torch.load = counted
        for name in self.replaced:
            self.ex.namespace[name] = counted
        return self

    def __exit__(self, *exc):
        torch.load = self.original
        for name in self.replaced:
            self.ex.namespace[name] = self.original

    @property
    def samples_read(self):
        return [p for p in self.paths if p.startswith("sample_")]


def _write(folder: Path) -> torch.Tensor:
    generator = torch.Generator().manual_seed(3)
    images = torch.randint(0, 256, (N, 28, 28), dtype=torch.uint8, generator=generator)
    for i in torch.randperm(N, generator=generator).tolist():      # written out of order, on purpose
        torch.save({"image": images[i], "label": (7 * i) % 10}, folder / f"sample_{i:04d}.pt")
    (folder / "README.txt").write_text("One sample per file.\n")
    (folder / "index.json").write_text("{}\n")
    return images


def check(ex):
    with tempfile.TemporaryDirectory(prefix="lazy-folder-") as folder:
        return _check(ex, Path(folder))


def _check(ex, folder: Path):
    images = _write(folder)
    cls = ex.get("FolderDataset")
    with LoadCounter(ex) as loads:
        dataset = ex.call(cls, str(folder), doing="Creating `FolderDataset(folder)`")
        if loads.paths:
            fail(f"Creating the Dataset read {len(loads.paths)} files before any sample was asked for.",
                 "Lazy loading: __init__ lists the file names (sorted), __getitem__ reads the one file it is asked "
                 "for. A folder of a million files would not fit in memory otherwise.",
                 failure="eager-loading", misconceptions=["dataset-loads-everything"])
        n = ex.call(len, dataset, doing="Calling `len(dataset)`")
        if n == N + 2:
            fail(f"`len(dataset)` is {n}: it counts every file in the folder, README.txt and index.json too.",
                 "Only the sample files are samples: list them with Path(folder).glob(\"sample_*.pt\").",
                 failure="counts-other-files")
        if n != N:
            fail(f"`len(dataset)` is {n}, but the folder holds {N} sample files.", failure="wrong-length")
        item = ex.call(lambda: dataset[9], doing="Reading `dataset[9]` (which calls __getitem__(9))")
        read = list(loads.samples_read)
    if read != ["sample_0009.pt"]:
        what = "no file" if not read else f"{len(read)} files ({', '.join(read[:3])}{'...' if len(read) > 3 else ''})"
        fail(f"Reading `dataset[9]` read {what}; it should read exactly sample_0009.pt.",
             "Sample i is the file numbered i: sort the file names in __init__, and load self.files[index] in "
             "__getitem__.", failure="wrong-file" if read else "no-file-read")
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        if isinstance(item, dict):
            fail("`dataset[9]` returns the dict stored in the file; return the pair (image, label).",
                 failure="returns-dict")
        fail(f"`dataset[9]` should be (image, label), but it is {describe(item)}.", failure="not-a-pair")
    image, label = item
    expected = images[9].float().div(255).unsqueeze(0)
    if not isinstance(image, torch.Tensor) or list(image.shape) != [1, 28, 28]:
        fail(f"The image of `dataset[9]` should be a float tensor of shape [1, 28, 28], but it is {describe(image)}.",
             "record[\"image\"].float().div(255).unsqueeze(0)", failure="wrong-shape")
    if not image.is_floating_point() or not torch.allclose(image, expected, atol=1e-6):
        scaled = image.is_floating_point() and float(image.max()) <= 1.0
        fail("The image of `dataset[9]` is not sample 9's image as floats in [0, 1].",
             "Scale with .float().div(255)." if not scaled else "Return the image stored in sample_0009.pt.",
             failure="not-scaled" if not scaled else "wrong-input")
    if int(torch.as_tensor(label)) != (7 * 9) % 10:
        fail(f"The label of `dataset[9]` is {describe(label)}; sample_0009.pt stores {(7 * 9) % 10}.",
             failure="wrong-target")

    loader = ld.expect_loader(ex.call("make_loader", str(folder), 5, doing="Calling `make_loader(folder, 5)`"),
                              "make_loader")
    with LoadCounter(ex) as loads:
        try:
            batches = iter(loader)
            xb, yb = next(batches)
        except Exception as exc:  # noqa: BLE001
            ex.fail_on(exc, "Reading the first batch of make_loader(folder, 5)")
        first_reads = len(loads.samples_read)
    if list(xb.shape) != [5, 1, 28, 28]:
        fail(f"make_loader(folder, 5) serves images {list(xb.shape)}; they should be [5, 1, 28, 28].",
             failure="wrong-batch-size")
    if first_reads > 5 and getattr(loader, "num_workers", 0) == 0:
        fail(f"The first batch of 5 read {first_reads} files.", "A batch should read only its own samples.",
             failure="eager-loading", misconceptions=["dataset-loads-everything"])
    torch.manual_seed(0)
    firsts = []
    for _ in range(2):
        try:
            firsts.append(torch.cat([x.reshape(len(x), -1)[:, :4] for x, _ in loader]))
        except Exception as exc:  # noqa: BLE001
            ex.fail_on(exc, "Iterating make_loader(folder, 5)")
    if torch.equal(firsts[0], firsts[1]):
        fail("make_loader serves the samples in the same order every epoch: it does not shuffle.",
             "For training, shuffle=True draws a new order each epoch.", failure="unshuffled-training-data",
             misconceptions=["shuffle-once-is-enough"])
    return (f"Creating the Dataset read no file, `dataset[9]` read exactly sample_0009.pt, and the loader serves "
            f"shuffled batches of [5, 1, 28, 28] ({first_reads} files for the first batch of 5). A folder of any size "
            "costs one sample of memory at a time.")

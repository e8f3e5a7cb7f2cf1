"""Checker for datasets-and-dataloaders/menu-and-kitchen: one sample per index, batching in the DataLoader."""

import torch

from torchtutor.checks import describe, fail

N = 96                      # three batches of 32
SAMPLE = "`dataset[i]`"


def _images(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(7)
    images = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=generator)
    labels = torch.arange(n) % 10
    order = torch.argsort(labels, stable=True)     # sorted by digit, like the colleague's file
    return images[order], labels[order]


def check(ex):
    images, labels = _images(N)
    cls = ex.get("DigitDataset")
    dataset = ex.call(cls, images.clone(), labels.clone(), doing="Creating `DigitDataset(images, labels)`")
    n = ex.call(len, dataset, doing="Calling `len(dataset)`")
    if n == N // 32:
        fail(f"`len(dataset)` is {n}, the number of chunks of 32; a Dataset counts samples, {N} here.",
             "The menu lists every dish: __len__ returns len(self.images). Grouping samples into batches is the "
             "DataLoader's job.", failure="dataset-does-batching", misconceptions=["dataset-does-batching"])
    if n != N:
        fail(f"`len(dataset)` is {n}, but the Dataset holds {N} images.", "return len(self.images)",
             failure="wrong-length")

    item = ex.call(lambda: dataset[5], doing=f"Reading {SAMPLE} (which calls __getitem__(5))")
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        fail(f"{SAMPLE} should be a pair (image, label), but it is {describe(item)}.", failure="not-a-pair")
    image, label = item
    if not isinstance(image, torch.Tensor):
        fail(f"The image of {SAMPLE} should be a tensor, but it is {describe(image)}.", failure="not-a-tensor")
    if image.dim() == 4 or (image.dim() == 3 and image.shape[0] > 1):
        fail(f"{SAMPLE} returns {image.shape[0]} images at once, shape {list(image.shape)}: the Dataset still batches.",
             "Menu and kitchen: __getitem__ returns ONE sample, image [1, 28, 28] and its label. The DataLoader "
             "stacks 32 of them.", failure="dataset-does-batching", misconceptions=["dataset-does-batching"])
    if list(image.shape) == [28, 28]:
        fail(f"The image of {SAMPLE} has shape [28, 28]; the model expects one channel first, [1, 28, 28].",
             "Add the channel dimension with .unsqueeze(0).", failure="missing-channel")
    if list(image.shape) != [1, 28, 28]:
        fail(f"The image of {SAMPLE} should have shape [1, 28, 28], but it is {describe(image)}.",
             failure="wrong-shape")
    if not image.is_floating_point():
        fail(f"The image of {SAMPLE} is {image.dtype}; the model needs floats: .float().div(255).",
             failure="wrong-dtype")
    expected = images[5].float().div(255).unsqueeze(0)
    if torch.allclose(image, images[5].float().unsqueeze(0)):
        fail(f"The image of {SAMPLE} holds pixel values up to 255; scale them to [0, 1] with .div(255).",
             failure="not-scaled")
    if not torch.allclose(image, expected, atol=1e-6):
        fail(f"The image of {SAMPLE} is not image 5 scaled to [0, 1].", failure="wrong-values")
    if int(torch.as_tensor(label)) != int(labels[5]):
        fail(f"The label of {SAMPLE} is {describe(label)}; it should be label 5, {int(labels[5])}.",
             failure="wrong-target")

    loader = ex.call("make_loader", dataset, doing="Calling `make_loader(dataset)`")
    if loader is None or not isinstance(loader, torch.utils.data.DataLoader):
        fail(f"`make_loader` should return a DataLoader, but it returned {describe(loader)}.", failure="not-a-loader")
    try:
        epochs = [[(xb, yb) for xb, yb in loader] for _ in range(2)]
    except Exception as exc:  # noqa: BLE001
        ex.fail_on(exc, "Iterating the loader from make_loader")
    xb, yb = epochs[0][0]
    if list(xb.shape) != [32, 1, 28, 28] or list(yb.shape) != [32]:
        hint = ("The batch size belongs to the DataLoader: DataLoader(dataset, batch_size=32, shuffle=True)."
                if xb.shape[0] != 32 else "Each sample must be [1, 28, 28] and one label.")
        fail(f"The loader serves images {list(xb.shape)} and labels {list(yb.shape)}; they should be "
             "[32, 1, 28, 28] and [32].", hint, failure="wrong-batch-size")
    first_labels = [sorted(set(y.tolist())) for _, y in epochs[0]]
    if [y.tolist() for _, y in epochs[0]] == [y.tolist() for _, y in epochs[1]]:
        fail("The loader serves the same batches in the same order every epoch: nothing shuffles them.",
             "The digits are sorted, so each batch is a poll of one or two digits. shuffle=True on the DataLoader "
             "draws a new order every epoch.", failure="unshuffled-training-data", misconceptions=["shuffle-once-is-enough"])
    digits = len(first_labels[0])
    return (f"One sample per index ([1, 28, 28] in [0, 1] and its label), and the DataLoader serves shuffled batches "
            f"of [32, 1, 28, 28]: the first one held {digits} different digits although the data is sorted. The menu "
            "describes one dish; the kitchen batches and shuffles.")

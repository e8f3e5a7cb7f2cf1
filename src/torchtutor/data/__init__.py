"""The data layer: MNIST and Fashion-MNIST as in-memory uint8 tensors, found, checked, cached.

Use it from lessons, exercises, projects and notebooks::

    from torchtutor.data import load_dataset

    train = load_dataset("fashion-mnist", "train", sample=True)   # the shipped sample: offline, instant
    images, labels = train            # uint8 [4000, 28, 28] and int64 [4000]
    train.classes[labels[0]]          # 'Ankle boot'
    test = load_dataset("mnist", "test", sample=True)              # 1,000 real MNIST test digits

    full = load_dataset("fashion-mnist")          # the full 60,000 training images, wherever they are

``load_dataset(name, split="train", *, sample=False, data_dir=None, download=True)``
    ``name`` is ``"mnist"`` or ``"fashion-mnist"``, ``split`` is ``"train"`` or ``"test"``.
    It returns an :class:`ImageSet`: ``images`` (uint8, [N, 28, 28], pixel values 0-255: divide
    by 255 and normalise in the batch, never per sample), ``labels`` (int64, [N]), ``classes``
    (the class names), ``name``, ``split`` and ``source`` (where it was read from). It
    unpacks as ``images, labels``. Loading the same split again in a process returns the same
    tensors; in a new process it reads the decoded cache, well under a second.

    With ``sample=True`` it loads the real sample shipped inside the package (see
    ``samples/PROVENANCE.md``): 4,000 training and 1,000 test images of each dataset, ten
    balanced classes for MNIST. Exercises and tests use it, so they run offline in seconds.

    Otherwise it looks, in this order, in ``data_dir`` (a folder with the four IDX files,
    gzipped or not, or with a ``NAME/`` folder of them); in ``$TORCHTUTOR_DATA/NAME/``; in the
    system copy ``/usr/share/datasets/NAME/`` (Debian's ``apt-get install
    dataset-fashion-mnist``); in the download cache (``$TORCHTUTOR_CACHE``, default
    ``~/.cache/torchtutor``); and, with ``download=True``, downloads it there with torchvision.
    The first place that has the dataset is used. Every file is checked against the official
    size and MD5 of its content; a missing, truncated or corrupt file raises
    :class:`DataError` naming the file and what to do, and is never skipped silently.

``locate(name, data_dir=None, *, sample=False)`` -> :class:`Location` or None (never downloads).
``fetch(name)`` downloads a dataset into the cache (``torchtutor data fetch NAME``).
``status(data_dir=None)`` -> one dict per dataset (``torchtutor data status [--json]``).
``DATASETS`` maps each name to its :class:`~torchtutor.data.catalog.DatasetSpec` (files, classes).
:class:`DataError` is the one exception; its message is a paragraph for the learner.
"""

from .catalog import DATASETS, DatasetSpec, FileSpec
from .idx import DataError
from .store import ImageSet, Location, cache_dir, fetch, load_dataset, locate, status

__all__ = ["DATASETS", "DataError", "DatasetSpec", "FileSpec", "ImageSet", "Location", "cache_dir", "fetch",
           "load_dataset", "locate", "status"]

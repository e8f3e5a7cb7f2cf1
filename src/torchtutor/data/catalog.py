"""What each dataset is: its files, their official sizes and checksums, its classes.

The checksums are MD5s of the *uncompressed* IDX files. Debian recompresses the
Fashion-MNIST files (its .gz files carry a 2020 timestamp), so the MD5 of a .gz differs
from copy to copy while the MD5 of its content does not: checking the content accepts
every faithful copy, gzipped or not, and rejects every damaged one. The .gz checksums
torchvision publishes are kept too, for the download (torchvision checks those itself).

Sources of the numbers: the MNIST and Fashion-MNIST release pages list the .gz MD5s
(torchvision's ``resources`` carry the same ones); the content MD5s are those of the
uncompressed official files (checked here against Debian's Fashion-MNIST and against the
official MNIST test files, whose .gz MD5s match the published ones).
"""

from __future__ import annotations

from dataclasses import dataclass

SPLITS = ("train", "test")


@dataclass(frozen=True)
class FileSpec:
    """One IDX file: its official name (without .gz), size in bytes, MD5 of its content."""

    name: str
    size: int
    md5: str
    gz_md5: str = ""  # the published MD5 of the official .gz (empty for files we ship)


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: its name, the four files per split, its class names, how to get it."""

    name: str
    title: str
    files: dict[str, tuple[FileSpec, FileSpec]]  # split -> (images, labels)
    classes: tuple[str, ...]
    torchvision_class: str  # the torchvision.datasets class that downloads it
    apt_package: str = ""  # a Debian package that installs it under /usr/share/datasets/NAME/
    licence: str = ""

    def all_files(self) -> list[FileSpec]:
        return [f for split in SPLITS for f in self.files[split]]


def _official(train_images: tuple[str, str], train_labels: tuple[str, str],
              test_images: tuple[str, str], test_labels: tuple[str, str]) -> dict[str, tuple[FileSpec, FileSpec]]:
    """The four official files; each argument is (MD5 of the content, MD5 of the published .gz)."""
    return {
        "train": (FileSpec("train-images-idx3-ubyte", 47_040_016, *train_images),
                  FileSpec("train-labels-idx1-ubyte", 60_008, *train_labels)),
        "test": (FileSpec("t10k-images-idx3-ubyte", 7_840_016, *test_images),
                 FileSpec("t10k-labels-idx1-ubyte", 10_008, *test_labels)),
    }


MNIST = DatasetSpec(
    name="mnist",
    title="MNIST",
    files=_official(train_images=("6bbc9ace898e44ae57da46a324031adb", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                    train_labels=("a25bea736e30d166cdddb491f175f624", "d53e105ee54ea40749a09fcbcd1e9432"),
                    test_images=("2646ac647ad5339dbf082846283269ea", "9fb629c4189551a2d022fa330f9573f3"),
                    test_labels=("27ae3e4e09519cfbb04c329615203637", "ec29112dd5afa0611ce80d1b7f02629c")),
    classes=tuple(str(d) for d in range(10)),
    torchvision_class="MNIST",
    licence="CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
)

FASHION_MNIST = DatasetSpec(
    name="fashion-mnist",
    title="Fashion-MNIST",
    files=_official(train_images=("f4a8712d7a061bf5bd6d2ca38dc4d50a", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                    train_labels=("9018921c3c673c538a1fc5bad174d6f9", "25c81989df183df01b3e8a0aad5dffbe"),
                    test_images=("8181f5470baa50b63fa0f6fddb340f0a", "bef4ecab320f06d8554ea6380940ec79"),
                    test_labels=("15d484375f8d13e6eb1aabb0c3f46965", "bb300cfdad3c16e7a12a480ee83cd310")),
    classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    torchvision_class="FashionMNIST",
    apt_package="dataset-fashion-mnist",
    licence="MIT (Zalando SE)",
)

DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (MNIST, FASHION_MNIST)}

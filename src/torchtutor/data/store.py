"""Find a dataset, load it once into cached uint8 tensors, download it, report its status.

The search order (the first place that has the dataset wins; a copy that is there but
damaged is an error, never skipped for the next place):

1. an explicit folder (``data_dir=``; it may hold the files or a ``NAME/`` folder with them);
2. ``$TORCHTUTOR_DATA/NAME/``;
3. the system copy, ``/usr/share/datasets/NAME/`` (Debian's ``dataset-fashion-mnist``);
4. the download cache, ``$TORCHTUTOR_CACHE/downloads/`` (default ``~/.cache/torchtutor``),
   filled by torchvision's download when ``download=True`` (``torchtutor data fetch NAME``);
5. else a one-paragraph :class:`DataError` naming each option and the command for it.

Decoded tensors are cached under ``$TORCHTUTOR_CACHE/decoded/``, keyed by each source
file's path, size and modification time, so a second load reads one ``.pt`` file instead
of decompressing, checking and decoding again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .catalog import DATASETS, SPLITS, DatasetSpec, FileSpec
from .idx import DataError, decode_images, decode_labels, find, read_verified

SYSTEM_DATA = Path("/usr/share/datasets")
SAMPLES = Path(__file__).parent / "samples"
_MEMORY: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}  # this process's decoded splits


@dataclass(frozen=True)
class ImageSet:
    """One split of a dataset in memory: ``images`` uint8 [N, 28, 28], ``labels`` int64 [N].

    ``images, labels = load_dataset(...)`` unpacks it; ``classes[label]`` names a class and
    ``source`` says where the data came from.
    """

    images: torch.Tensor
    labels: torch.Tensor
    name: str
    split: str
    classes: tuple[str, ...]
    source: str = ""

    def __iter__(self):
        return iter((self.images, self.labels))

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class Location:
    """Where a dataset was found: ``kind`` is explicit, env, system, cache or sample."""

    name: str
    kind: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)  # official file name -> the copy found

    def describe(self) -> str:
        where = {"explicit": "the folder you gave", "env": "$TORCHTUTOR_DATA", "system": "the system copy",
                 "cache": "the download cache", "sample": "the shipped sample"}[self.kind]
        return f"{self.folder} ({where})"


def spec_of(name: str) -> DatasetSpec:
    key = name.lower().replace("_", "-")
    if key == "fashionmnist":
        key = "fashion-mnist"
    if key not in DATASETS:
        raise DataError(f"There is no dataset {name!r}. The datasets are: {', '.join(DATASETS)}.")
    return DATASETS[key]


def cache_dir() -> Path:
    if os.environ.get("TORCHTUTOR_CACHE"):
        return Path(os.environ["TORCHTUTOR_CACHE"]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "torchtutor"


def download_dir(spec: DatasetSpec) -> Path:
    """Where torchvision's download puts the files (its ``root/<Class>/raw`` layout)."""
    return cache_dir() / "downloads" / spec.torchvision_class / "raw"


def sample_specs(spec: DatasetSpec) -> dict[str, tuple[FileSpec, FileSpec]]:
    """The shipped sample's files, with the sizes and MD5s its manifest records."""
    manifest_path = SAMPLES / spec.name / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        return {split: tuple(FileSpec(f.name, manifest[f.name]["size"], manifest[f.name]["md5"])
                             for f in spec.files[split]) for split in SPLITS}
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"The shipped sample of {spec.name} is damaged: {manifest_path} cannot be read ({exc}). "
                        "Reinstall torchtutor (`pip install --force-reinstall torchtutor`).") from None


# --------------------------------------------------------------------------- finding
def _complete(name: str, kind: str, folder: Path, spec: DatasetSpec) -> Location | None:
    """The Location if ``folder`` has all four files; None if it has none; an error if only some."""
    found = {f.name: find(folder, f) for f in spec.all_files()}
    missing = [n for n, p in found.items() if p is None]
    if not missing:
        return Location(name, kind, folder, {n: p for n, p in found.items() if p})
    if len(missing) < len(found):
        raise DataError(f"{folder} holds part of {spec.title}: {', '.join(missing)} (or its .gz) is missing. "
                        f"Put all four IDX files there ({', '.join(f.name for f in spec.all_files())}, gzipped "
                        f"or not), or remove the folder so that the next place is searched.")
    return None


def _places(spec: DatasetSpec, data_dir: Path | None) -> list[tuple[str, Path]]:
    places: list[tuple[str, Path]] = []
    if data_dir is not None:
        data_dir = Path(data_dir).expanduser()
        if not _is_folder(data_dir, "The data folder"):
            raise DataError(f"The data folder {data_dir} does not exist. Give a folder that holds the four IDX files "
                            f"of {spec.name} (or a {spec.name}/ folder with them).")
        nested = data_dir / spec.name
        places.append(("explicit", nested if nested.is_dir() else data_dir))
    env = os.environ.get("TORCHTUTOR_DATA")
    if env:
        root = Path(env).expanduser()
        if not _is_folder(root, "TORCHTUTOR_DATA is set to a path that"):
            raise DataError(f"TORCHTUTOR_DATA is set to {root}, which is not a folder. Point it at a folder that "
                            f"holds one folder per dataset ({', '.join(f'{n}/' for n in DATASETS)}), or unset it.")
        places.append(("env", root / spec.name))
    places.append(("system", SYSTEM_DATA / spec.name))
    places.append(("cache", download_dir(spec)))
    return places


def _is_folder(path: Path, what: str) -> bool:
    """``path.is_dir()``, except that a path no file system accepts (too long, a NUL) is one
    paragraph naming it rather than an OSError."""
    try:
        return path.is_dir()
    except (OSError, ValueError) as exc:
        shown = str(path) if len(str(path)) <= 80 else f"{str(path)[:60]}... ({len(str(path))} characters)"
        why = getattr(exc, "strerror", None) or str(exc)
        raise DataError(f"{what} cannot be used: {shown} ({why}). Check for a typo or a stray paste and give "
                        "the path of a folder.") from None


def locate(name: str, data_dir: Path | None = None, *, sample: bool = False) -> Location | None:
    """Where ``name`` is, searched in the documented order; None if nowhere (nothing is downloaded)."""
    spec = spec_of(name)
    if sample:
        folder = SAMPLES / spec.name
        return Location(spec.name, "sample", folder, {f.name: find(folder, f) for f in spec.all_files()})
    for kind, folder in _places(spec, data_dir):
        if kind == "explicit" or folder.is_dir():
            location = _complete(spec.name, kind, folder, spec)
            if location is not None:
                return location
            if kind == "explicit":
                raise DataError(f"{folder} has none of the {spec.title} files "
                                f"({', '.join(f.name for f in spec.all_files())}, gzipped or not).")
    return None


def not_found_message(spec: DatasetSpec, reason: str = "") -> str:
    system = SYSTEM_DATA / spec.name
    env = os.environ.get("TORCHTUTOR_DATA")
    options = ["pass a folder that holds its four IDX files (gzipped or not) with --data-dir DIR",
               f"put them in $TORCHTUTOR_DATA/{spec.name}/ "
               + (f"(TORCHTUTOR_DATA is {env})" if env else "(TORCHTUTOR_DATA is not set)")]
    if spec.apt_package:
        options.append(f"install the system copy into {system}/ with `sudo apt-get install {spec.apt_package}`")
    else:
        options.append(f"put a copy in {system}/ (no system package provides {spec.name})")
    options.append(f"download it into {download_dir(spec).parent.parent} with `torchtutor data fetch {spec.name}` "
                   "(needs internet access)")
    why = f" {reason}" if reason else ""
    return (f"{spec.title} was not found.{why} To get it: " + "; or ".join(options) + ". Until then the shipped "
            f"sample works offline: load_dataset({spec.name!r}, sample=True), or --data sample on the command line.")


# --------------------------------------------------------------------------- loading
def _remedy(location: Location, spec: DatasetSpec) -> str:
    if location.kind == "sample":
        return "The shipped sample is damaged; reinstall torchtutor (`pip install --force-reinstall torchtutor`)."
    if location.kind == "cache":
        return f"Run `torchtutor data fetch {spec.name}` to download it again."
    if location.kind == "system" and spec.apt_package:
        return f"Reinstall it with `sudo apt-get install --reinstall {spec.apt_package}`."
    return "Replace it with a good copy of the official file (or delete the folder to use the next source)."


def _cache_key(paths: list[Path]) -> str:
    stamp = []
    for path in paths:
        info = path.stat()
        stamp.append(f"{path.resolve()}|{info.st_size}|{info.st_mtime_ns}")
    return hashlib.sha1("\n".join(stamp).encode()).hexdigest()[:16]


def _decode(location: Location, specs: tuple[FileSpec, FileSpec], remedy: str) -> tuple[torch.Tensor, torch.Tensor]:
    image_spec, label_spec = specs
    image_path, label_path = location.files[image_spec.name], location.files[label_spec.name]
    images = decode_images(read_verified(image_path, image_spec, remedy), image_path)
    labels = decode_labels(read_verified(label_path, label_spec, remedy), label_path)
    if len(images) != len(labels):
        raise DataError(f"{image_path} holds {len(images):,} images but {label_path} holds {len(labels):,} labels. "
                        f"{remedy}")
    return images, labels


def _read_cache(path: Path) -> tuple[torch.Tensor, torch.Tensor] | None:
    try:
        saved = torch.load(path, weights_only=True)
        return saved["images"], saved["labels"]
    except Exception:  # our own cache file, unreadable: decode again and overwrite it
        return None


def _write_cache(path: Path, images: torch.Tensor, labels: torch.Tensor) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        torch.save({"images": images, "labels": labels}, tmp)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs speed


def load_location(location: Location, split: str) -> ImageSet:
    """Decode one split of a located dataset (checked by size and MD5), through the caches."""
    spec = spec_of(location.name)
    if split not in SPLITS:
        raise DataError(f"There is no split {split!r}; the splits are train and test.")
    specs = sample_specs(spec)[split] if location.kind == "sample" else spec.files[split]
    paths = [location.files[f.name] for f in specs]
    key = f"{spec.name}-{split}-{_cache_key(paths)}"
    if key not in _MEMORY:
        cached = cache_dir() / "decoded" / f"{key}.pt"
        tensors = None if location.kind == "sample" else _read_cache(cached)
        if tensors is None:
            tensors = _decode(location, specs, _remedy(location, spec))
            if location.kind != "sample":  # the sample decodes in milliseconds
                _write_cache(cached, *tensors)
        _MEMORY[key] = tensors
    images, labels = _MEMORY[key]
    return ImageSet(images, labels, spec.name, split, spec.classes, location.describe())


def fetch(name: str) -> Location:
    """Download ``name`` with torchvision into the cache (a progress bar on stderr) and check it."""
    spec = spec_of(name)
    folder = download_dir(spec)
    for f in spec.all_files():  # a damaged earlier download is ours to replace
        copy = find(folder, f)
        if copy is not None:
            try:
                read_verified(copy, f, "")
            except DataError:
                copy.unlink()
    try:
        import torchvision.datasets as tv

        getattr(tv, spec.torchvision_class)(root=str(folder.parent.parent), train=True, download=True)
    except Exception as exc:  # URLError, RuntimeError (bad checksum), OSError: all mean "could not download"
        reason = " ".join(str(exc).split())
        raise DataError(not_found_message(spec, f"Downloading it with torchvision failed: {reason[:300]}")) from None
    location = _complete(spec.name, "cache", folder, spec)
    if location is None:
        raise DataError(not_found_message(spec, f"torchvision's download left no files in {folder}."))
    for split in SPLITS:
        load_location(location, split)  # check every file now, and fill the decoded cache
    return location


def load_dataset(name: str, split: str = "train", *, sample: bool = False, data_dir: Path | str | None = None,
                 download: bool = True) -> ImageSet:
    """Load one split of ``mnist`` or ``fashion-mnist`` as uint8 images and int64 labels.

    ``sample=True`` loads the small real sample shipped with torchtutor (offline, instant).
    Otherwise the dataset is searched for in the order documented above, and downloaded
    into the cache when it is nowhere and ``download`` is true.
    """
    location = locate(name, Path(data_dir) if data_dir is not None else None, sample=sample)
    if location is None:
        spec = spec_of(name)
        if not download:
            raise DataError(not_found_message(spec))
        location = fetch(spec.name)
    return load_location(location, split)


def status(data_dir: Path | str | None = None) -> list[dict]:
    """For each dataset: where it was found and whether its files check out, or why not."""
    rows = []
    for spec in DATASETS.values():
        sample = sample_specs(spec)
        row = {"name": spec.name, "title": spec.title, "found": False, "kind": None, "folder": None,
               "ok": False, "problem": None, "counts": {}, "classes": len(spec.classes),
               "sample": {split: sample[split][1].size - 8 for split in SPLITS}}
        try:
            location = locate(spec.name, Path(data_dir) if data_dir is not None else None)
            if location is None:
                row["problem"] = not_found_message(spec)
            else:
                row.update(found=True, kind=location.kind, folder=str(location.folder))
                row["counts"] = {split: len(load_location(location, split)) for split in SPLITS}
                row["ok"] = True
        except DataError as exc:
            row["problem"] = str(exc)
        rows.append(row)
    return rows

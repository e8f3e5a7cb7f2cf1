"""The project pipeline on the shipped samples: the CLI end to end, its files, Ctrl-C then
--resume (no epoch lost, the same result as an uninterrupted run), and its errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from torchtutor.projects import Config, run
from torchtutor.projects.pipeline import ProjectError, augment, configure_threads, pick_precision, to_input

ENV = {k: v for k, v in os.environ.items() if k not in ("TORCHTUTOR_DATA",)}


def project(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    env = ENV | {"TORCHTUTOR_CACHE": str(cwd / "cache")}  # a private, empty download cache
    return subprocess.run([sys.executable, "-m", "torchtutor.cli", "project", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_project_mnist_trains_on_the_sample_and_writes_every_artefact(tmp_path: Path) -> None:
    proc = project("mnist", "--model", "mlp", "--data", "sample", "--epochs", "3", "--threads", "1", "--json",
                   "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["test_acc"] > 0.85  # 3 epochs on 3,667 real digits
    assert [e["epoch"] for e in report["history"]] == [1, 2, 3]
    assert report["sizes"] == {"train": 3667, "val": 333, "test": 1000}
    assert set(report["per_class"]) == {str(d) for d in range(10)} and "shipped sample" in report["data"]
    files = report["files"]
    for key in ("confusion_matrix", "curves"):
        assert Path(files[key]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(Path(files["tensorboard"]).glob("**/events.out.tfevents.*"))
    best = torch.load(files["checkpoint_best"], weights_only=False)
    assert best["epoch"] == report["best_epoch"] and {"model", "optimizer", "scheduler"} <= set(best)


def test_the_human_output_has_the_progress_and_the_per_class_table(tmp_path: Path) -> None:
    proc = project("mnist", "--model", "mlp", "--epochs", "1", "--threads", "1", "--out", str(tmp_path / "run"),
                   cwd=tmp_path)  # --data auto: this machine has no full MNIST
    assert proc.returncode == 0, proc.stderr
    assert "epoch  1: train loss" in proc.stderr and "trained on the shipped sample" in proc.stderr
    assert "test accuracy" in proc.stdout and "Most frequent mistakes" in proc.stdout
    assert "tensorboard --logdir" in proc.stdout


def test_ctrl_c_then_resume_loses_no_epoch_and_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    settings = dict(dataset="fashion-mnist", model="mlp", data="sample", epochs=4, threads=1)
    whole = run(Config(**settings, out=str(tmp_path / "whole"), tensorboard=False, figures=False))

    out = tmp_path / "interrupted"
    child = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "project", "fashion-mnist", "--model", "mlp",
                              "--data", "sample", "--epochs", "4", "--threads", "1", "--out", str(out)],
                             cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and child.poll() is None:
        if (out / "last.pt").exists() and torch.load(out / "last.pt", weights_only=False)["epoch"] >= 1:
            break
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)  # what Ctrl+C sends
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert "Interrupted" in stderr and "--resume" in stderr and "Traceback" not in stderr
    saved = torch.load(out / "last.pt", weights_only=False)["epoch"]
    assert 1 <= saved < 4

    resumed = run(Config(**settings, out=str(out), resume=True))
    assert [e.epoch for e in resumed.history] == [1, 2, 3, 4]
    for got, want in zip(resumed.history, whole.history):  # optimizer, schedule and random state carried over
        assert got.test_acc == pytest.approx(want.test_acc, abs=2e-3), got.epoch
        assert got.train_loss == pytest.approx(want.train_loss, rel=1e-3), got.epoch


def test_bad_arguments_are_one_paragraph_errors(tmp_path: Path) -> None:
    nothing = project("mnist", "--resume", "--data", "sample", "--out", str(tmp_path / "none"), cwd=tmp_path)
    assert nothing.returncode == 2 and "nothing to resume" in nothing.stderr and "Traceback" not in nothing.stderr
    model = project("mnist", "--model", "resnet", cwd=tmp_path)
    assert model.returncode == 2 and "--model mlp or --model cnn" in model.stderr
    data = project("mnist", "--data", "everything", cwd=tmp_path)
    assert data.returncode == 2 and "full, sample or auto" in data.stderr
    precision = project("mnist", "--precision", "fp8", cwd=tmp_path)
    assert precision.returncode == 2 and "auto, fp32 or bf16" in precision.stderr


def test_the_cnn_learns_on_the_sample_in_process(tmp_path: Path) -> None:
    report = run(Config(dataset="mnist", model="cnn", data="sample", epochs=2, threads=1, width=8,
                        tensorboard=False, figures=False, out=str(tmp_path)))
    assert report.test_acc > 0.8 and report.best_epoch in (1, 2) and report.threads == 1


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_training_runs_its_forward_passes_in_the_precision_it_reports(tmp_path: Path, precision: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    real = torch.nn.Linear.forward

    def spy(self, x):
        out = real(self, x)
        seen.append((out.dtype, torch.is_grad_enabled()))
        return out

    monkeypatch.setattr(torch.nn.Linear, "forward", spy)
    report = run(Config(dataset="mnist", model="mlp", data="sample", epochs=1, threads=1, precision=precision,
                        tensorboard=False, figures=False, out=str(tmp_path)))
    training = {dtype for dtype, grad in seen if grad}
    evaluation = {dtype for dtype, grad in seen if not grad}
    assert report.precision == precision and report.test_acc > 0.7
    assert training == {torch.bfloat16 if precision == "bf16" else torch.float32}
    assert evaluation == {torch.float32}  # accuracy is always measured in float32 (and the loss, see train_epoch)


def test_auto_precision_is_bfloat16_only_where_the_hardware_computes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True, raising=False)
    assert pick_precision("auto", cpu) == "bf16"
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    assert pick_precision("auto", cpu) == "fp32"
    assert pick_precision("bf16", cpu) == "bf16" and pick_precision("fp32", cuda) == "fp32"
    for supported, expected in ((True, "bf16"), (False, "fp32")):  # no GPU needed: the question is mocked
        monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: supported)
        assert pick_precision("auto", cuda) == expected
    assert pick_precision("auto", torch.device("mps")) == "fp32"
    with pytest.raises(ProjectError, match="auto, fp32, bf16"):
        pick_precision("half", cpu)


def test_augmentation_moves_each_image_on_its_own_and_mirrors_only_when_asked() -> None:
    images = torch.zeros(64, 28, 28, dtype=torch.uint8)
    images[:, 10:18, 4:8] = 255  # a bar on the left
    x = to_input(images, 0.1, 0.3)
    shifted = augment(x, torch.Generator().manual_seed(0), flip=False, shift=2)
    assert shifted.shape == x.shape
    centres = (shifted > 0).float().nonzero()[:, 3].reshape(64, -1).float().mean(dim=1)
    assert centres.unique().numel() > 1 and (centres - 5.5).abs().max() <= 2  # different moves, at most 2 px
    mirrored = augment(x, torch.Generator().manual_seed(0), flip=True, shift=0)
    on_right = (mirrored[:, 0, 12, 20:24] > 0).all(dim=1)
    assert 10 < on_right.sum() < 54 and torch.equal(mirrored[~on_right], x[~on_right])


def test_the_thread_guard_never_exceeds_the_cores_we_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    cores = len(os.sched_getaffinity(0))
    before = torch.get_num_threads()
    try:
        assert configure_threads(64) == cores
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        assert configure_threads() == 1
        monkeypatch.delenv("OMP_NUM_THREADS")
        monkeypatch.setattr(os, "getloadavg", lambda: (50.0, 50.0, 50.0))  # a crowded machine: one thread
        assert configure_threads() == 1
        monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
        assert configure_threads() == cores
    finally:
        torch.set_num_threads(before)


def test_resuming_with_another_epoch_count_is_refused_with_the_count_to_use(tmp_path):
    from torchtutor.projects.pipeline import Config, ProjectError, run

    config = Config(dataset="fashion-mnist", model="mlp", epochs=1, data="sample", out=str(tmp_path),
                    tensorboard=False, figures=False)
    run(config)
    with pytest.raises(ProjectError, match="resume it with --epochs 1"):
        run(Config(**{**config.__dict__, "epochs": 2, "resume": True}))


def test_mirror_test_averages_each_image_with_its_mirror_and_only_for_fashion(tmp_path: Path) -> None:
    from torchtutor.projects.pipeline import Split, evaluate

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(28 * 28, 10))   # not mirror-symmetric
    images = torch.randint(0, 256, (50, 28, 28), dtype=torch.uint8)
    split = Split(images, torch.randint(0, 10, (50,)))
    _, _, plain = evaluate(model, split, (0.3, 0.3))
    _, _, mirrored = evaluate(model, split, (0.3, 0.3), mirror=True)
    x = to_input(images, 0.3, 0.3)
    with torch.no_grad():
        expected = (model(x).softmax(1) + model(x.flip(-1)).softmax(1)).argmax(1)
    assert torch.equal(mirrored, expected) and not torch.equal(plain, mirrored)
    fashion = run(Config(dataset="fashion-mnist", model="mlp", data="sample", epochs=1, threads=1,
                         tensorboard=False, figures=False, out=str(tmp_path / "f")))
    digits = run(Config(dataset="mnist", model="mlp", data="sample", epochs=1, threads=1,
                        tensorboard=False, figures=False, out=str(tmp_path / "m")))
    assert fashion.mirror_test and not digits.mirror_test     # a mirrored digit is not a digit

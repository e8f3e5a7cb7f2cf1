"""The training-curves widget: a real run's numbers, determinism, the stream, errors, and the CLI agreeing."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from torchtutor.widgets import WidgetError, get, training_curves, training_curves_stream

SHORT = {"steps": 40, "eval_every": 10}       # a few hundred milliseconds on one CPU thread
SRC = Path(__file__).resolve().parents[1] / "src"


def same_run(a, b) -> bool:
    """Equal, with floats equal to float32 rounding: a process or thread with another intra-op thread
    count (an earlier torch.set_num_threads, a server's worker thread) may sum in another order and
    change a last bit, never a number a learner sees."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_run(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_run, a, b))
    return a == b


@pytest.fixture(scope="module")
def run() -> dict:
    return training_curves(**SHORT)


def test_a_short_run_learns_and_reports_every_measurement(run):
    assert [e["step"] for e in run["evals"]] == [0, 10, 20, 30, 40]
    assert len(run["losses"]) == run["steps_done"] == 40 and run["done"] and run["diverged_at"] is None
    assert run["parameters"] == 784 * 128 + 128 + 128 * 10 + 10 == 101_770
    first, last = run["evals"][0], run["evals"][-1]
    assert first["val_acc"] < 0.3 and last["val_acc"] > 0.7          # it really learned digits
    assert sum(run["losses"][-10:]) / 10 < run["losses"][0] - 1
    assert abs(first["train_loss"] - math.log(10)) < 0.2             # an untrained model knows nothing
    for e in run["evals"]:
        assert e["epoch"] == pytest.approx(e["step"] * 64 / 3500)
        assert (e["train_acc"] * 3500) == pytest.approx(round(e["train_acc"] * 3500))   # counts over whole splits
        assert (e["val_acc"] * 500) == pytest.approx(round(e["val_acc"] * 500))
    assert "validation accuracy is" in run["summary"] and f"{last['val_acc']:.1%}" in run["summary"]
    json.dumps(run, allow_nan=False)


def test_same_seed_same_curves_other_seed_other_curves_global_state_untouched(run):
    rng, threads = torch.get_rng_state(), torch.get_num_threads()
    again = training_curves(**SHORT)
    assert again == run
    assert torch.equal(torch.get_rng_state(), rng) and torch.get_num_threads() == threads
    assert training_curves(seed=1, **SHORT)["losses"] != run["losses"]


def test_the_stream_grows_and_ends_with_the_result(run):
    snapshots = list(training_curves_stream(**SHORT))
    assert len(snapshots) == 5 and [s["done"] for s in snapshots] == [False] * 4 + [True]
    assert [s["steps_done"] for s in snapshots] == [0, 10, 20, 30, 40]
    assert snapshots[-1] == run
    for s in snapshots:
        assert s["evals"] == run["evals"][:len(s["evals"])] and s["losses"] == run["losses"][:s["steps_done"]]
    assert "Training: step 20 of 40" in snapshots[2]["summary"]


def test_planted_bugs_change_the_curves_as_the_lesson_says(run):
    floor = math.log(1 + 9 / math.e)                                  # -log softmax of a one-hot "probability" row
    softmaxed = training_curves(bug="softmax-before-loss", **SHORT)
    assert min(softmaxed["losses"]) > floor and min(run["losses"]) < floor
    raw = training_curves(bug="raw-pixels", **SHORT)
    assert raw["losses"][0] > 3 * math.log(10) > run["losses"][0] and "far above log(10)" in raw["summary"]
    stale = training_curves(bug="no-zero-grad", **SHORT)
    assert stale["evals"][-1]["val_acc"] < run["evals"][-1]["val_acc"] - 0.1 and "zero_grad" in stale["note"]
    # without dropout, forgetting model.eval() changes nothing; with dropout the measurement is noisy
    assert training_curves(bug="no-eval", **SHORT)["evals"] == run["evals"]
    dropped = training_curves(dropout=0.5, **SHORT)
    forgot = training_curves(dropout=0.5, bug="no-eval", **SHORT)
    assert forgot["evals"][1:] != dropped["evals"][1:]
    assert forgot["val_acc_eval_mode"] > forgot["evals"][-1]["val_acc"]      # dropout on while measuring costs
    assert f"with model.eval(), the same weights score {forgot['val_acc_eval_mode']:.1%}" in forgot["summary"]
    sgd = training_curves(optimizer="sgd", lr=0.001, **SHORT)
    assert sgd["evals"][-1]["val_acc"] < run["evals"][-1]["val_acc"]   # plain SGD at Adam's rate crawls


def test_a_loss_that_stops_being_a_number_ends_the_run(monkeypatch):
    import torch.nn.functional as F

    real, calls = F.cross_entropy, []

    def failing(logits, target):
        calls.append(1)
        loss = real(logits, target)
        return loss * float("nan") if len(calls) > 8 else loss     # two evaluations, then 6 good steps

    monkeypatch.setattr(F, "cross_entropy", failing)
    r = training_curves(**SHORT)
    assert r["diverged_at"] == 7 and r["losses"][-1] is None and len(r["losses"]) == 7 and r["done"]
    assert "stopped being a number at step 7" in r["summary"]
    json.dumps(r, allow_nan=False)


@pytest.mark.parametrize("args, words", [
    (["--lr", "0"], "--lr must be a learning rate above 0"),
    (["--optimizer", "rmsprop"], "--optimizer must be one of adam, sgd"),
    (["--bug", "typo"], "--bug must be one of none, no-zero-grad"),
    (["--steps", "0"], "--steps must be a whole number from 1 to 3,000"),
    (["--batch", "0"], "--batch must be a whole number from 1 to 3,500"),
    (["--dropout", "1"], "--dropout is the fraction of hidden units"),
    (["--steps", "3000", "--eval-every", "1"], "use --eval-every 30 or more"),
    (["--hidden", "lots"], "--hidden takes a whole number"),
])
def test_bad_parameters_are_one_clear_paragraph(args, words):
    with pytest.raises(WidgetError) as info:
        get("training-curves").run_stream(**get("training-curves").parse_args(args))
    assert words in str(info.value) and "\n" not in str(info.value)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "torchtutor.cli", "widget", "training-curves", *args],
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(SRC), "COLUMNS": "80",
                                                                             "PATH": "/usr/bin:/bin"})


def test_the_cli_prints_the_numbers_the_function_computes_in_80_columns(run):
    shown = _cli("--steps", "40", "--eval-every", "10")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if re.match(r"^│\s+\d+ │", line)]
    expected = [[str(e["step"]), f"{e['epoch']:.1f}", f"{e['train_loss']:.4f}", f"{e['val_loss']:.4f}",
                 f"{e['train_acc']:.1%}", f"{e['val_acc']:.1%}"] for e in run["evals"]]
    assert [[c.strip() for c in row.strip("│").split("│")] for row in rows] == expected
    assert sum("•" in line for line in lines) >= 3 and run["summary"].split(" The ")[0][:40] in shown.stdout.replace("\n", " ")
    as_json = _cli("--steps", "40", "--eval-every", "10", "--json")
    assert same_run(json.loads(as_json.stdout), run)
    refused = _cli("--optimizer", "rmsprop")
    assert refused.returncode != 0 and "must be one of adam, sgd" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr


def test_a_notebook_widget_grows_in_the_background_and_ends_with_the_result(run, monkeypatch):
    import time

    pytest.importorskip("anywidget")
    from torchtutor import nb

    shown = nb.widget("training-curves", **SHORT)
    seen = []
    deadline = time.monotonic() + 60
    while not shown.data.get("done"):
        if shown.data and (not seen or seen[-1] != shown.data["steps_done"]):
            seen.append(shown.data["steps_done"])
        assert time.monotonic() < deadline and not shown.error, shown.error
        time.sleep(0.001)
    assert same_run(shown.data, run) and seen == sorted(seen)
    shown.data = {}
    shown._message(shown, {"type": "run"}, [])          # the front end's "Train again", params unchanged
    deadline = time.monotonic() + 60
    while not shown.data.get("done"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert same_run(shown.data, run)
    shown.params = dict(shown.params, optimizer="rmsprop")
    assert "must be one of adam, sgd" in shown.error


def test_without_anywidget_a_notebook_shows_the_clis_text(run, monkeypatch):
    import builtins

    from torchtutor import nb

    real_import = builtins.__import__

    def no_anywidget(name, *args, **kwargs):
        if name == "anywidget":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_anywidget)
    shown = nb.widget("training-curves", **SHORT)
    assert same_run(shown.data, run)
    assert "Measured on all 3,500 training and 500 validation images" in str(shown)
    assert f"{run['evals'][-1]['val_acc']:.1%}" in str(shown)


def test_the_split_is_the_lessons_random_split_with_seed_0():
    """The lesson's validation section: random_split(train_set, [3500, 500], generator=seed 0)."""
    from torch.utils.data import TensorDataset, random_split

    from torchtutor.data import load_dataset
    from torchtutor.widgets.curves import _splits

    images, labels = load_dataset("mnist", "train", sample=True)
    train_part, val_part = random_split(TensorDataset(labels), [3500, 500], generator=torch.Generator().manual_seed(0))
    _, y_train, _, y_val = _splits("mnist", raw=False)
    assert torch.equal(y_train, labels[train_part.indices]) and torch.equal(y_val, labels[val_part.indices])
    x_train, _, _, _ = _splits("mnist", raw=True)
    assert torch.equal(x_train, images[train_part.indices].reshape(3500, -1).float())

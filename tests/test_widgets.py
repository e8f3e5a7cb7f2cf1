"""Tests for torchtutor.widgets: the numbers each widget computes, and the registry's parsing."""

from __future__ import annotations

import json
import math

import pytest
import torch

from torchtutor import widgets
from torchtutor.widgets import WidgetError, autograd_explorer, get, linear_collapse, numpy_shared_memory
from torchtutor.widgets import tensors as tensor_widgets


# --------------------------------------------------------------------------- autograd explorer
def test_default_network_gives_the_course_gradients():
    r = autograd_explorer()
    expected = {"w1": 1.356, "b1": 0.678, "w2": -2.486, "b2": -2.26}
    for name, value in expected.items():
        assert r["manual"][name] == pytest.approx(value, abs=1e-9)
        assert r["autograd"][name] == pytest.approx(value, abs=1e-9)
    assert r["all_match"] and all(r["matches"].values())
    assert r["forward"]["h_pre"] == pytest.approx(1.1)
    assert r["forward"]["y_hat"] == pytest.approx(-0.13)
    assert r["forward"]["loss"] == pytest.approx(1.2769)
    assert not r["relu_blocked"]


def test_every_step_is_incoming_times_local():
    r = autograd_explorer()
    names = [s["name"] for s in r["steps"]]
    assert names == ["dL/dloss", "dL/dy_hat", "dL/dw2", "dL/db2", "dL/dh", "dL/dh_pre", "dL/dw1", "dL/db1"]
    by_name = {s["name"]: s for s in r["steps"]}
    for s in r["steps"]:
        assert s["outgoing"] == pytest.approx(s["incoming"] * s["local"])
        if s["incoming_name"] != "start":  # each step starts from a gradient computed earlier
            assert s["incoming"] == by_name[s["incoming_name"]]["outgoing"]
    assert by_name["dL/dw2"]["incoming"] == pytest.approx(-2.26)
    assert by_name["dL/dw2"]["local"] == pytest.approx(1.1)
    assert by_name["dL/dh_pre"]["local"] == 1.0


@pytest.mark.parametrize("params", [
    {},
    {"x": 3.0, "y": -2.0},
    {"w1": 2.0, "b1": -0.5, "w2": 1.5, "b2": 0.0},
    {"x": -7.25, "w1": -1.3, "y": 4.0},
    {"x": 1e3, "w1": 1e-2, "w2": 3.0, "y": -1e2},
    {"x": -1.0},                     # h_pre = -0.4: ReLU blocks
    {"x": -0.2, "b1": 0.1},          # h_pre = 0 exactly: torch's slope there is 0
])
def test_manual_matches_torch(params):
    r = autograd_explorer(**params)
    for name in ("w1", "b1", "w2", "b2"):
        assert math.isclose(r["manual"][name], r["autograd"][name], rel_tol=1e-6, abs_tol=1e-6), name
    assert r["all_match"]
    json.dumps(r, allow_nan=False)


def test_blocked_relu_says_so():
    r = autograd_explorer(x=-1.0)
    assert r["forward"]["h_pre"] == pytest.approx(-0.4)
    assert r["relu_blocked"]
    relu = next(s for s in r["steps"] if s["name"] == "dL/dh_pre")
    assert relu["local"] == 0.0 and relu["outgoing"] == 0.0
    assert "blocked" in relu["note"]
    assert r["manual"]["w1"] == 0.0 and r["manual"]["b1"] == 0.0
    assert r["autograd"]["w1"] == 0.0 and r["autograd"]["b1"] == 0.0
    assert r["manual"]["b2"] == pytest.approx(-1.6)
    assert "blocking" in r["summary"]


def test_autograd_mode_and_bad_values():
    r = autograd_explorer(mode="autograd")
    assert r["mode"] == "autograd" and "backward()" in r["code"] and r["all_match"]
    with pytest.raises(WidgetError, match="mode"):
        autograd_explorer(mode="magic")
    with pytest.raises(WidgetError, match="finite"):
        autograd_explorer(x=float("nan"))


# --------------------------------------------------------------------------- linear collapse
def test_linear_collapse_without_and_with_relu():
    r = linear_collapse()
    assert r["without_relu"]["max_abs_diff"] < 1e-5 and r["without_relu"]["matches"]
    assert r["with_relu"]["max_abs_diff"] > 1e-2 and not r["with_relu"]["matches"]
    assert r["collapse_broken"]
    assert r["shapes"] == {"x": [5, 4], "W1": [8, 4], "b1": [8], "W2": [3, 8], "b2": [3],
                           "W_eff": [3, 4], "b_eff": [3], "output": [5, 3]}
    assert r["parameters"] == {"stack": 4 * 8 + 8 + 8 * 3 + 3, "single_layer": 4 * 3 + 3}
    json.dumps(r, allow_nan=False)


def test_linear_collapse_other_sizes_and_rng_untouched():
    state = torch.random.get_rng_state()
    r = linear_collapse(sizes=(6, 32, 2), seed=7, batch=50)
    assert torch.equal(state, torch.random.get_rng_state())
    assert r["without_relu"]["matches"] and r["collapse_broken"]
    assert r["shapes"]["W_eff"] == [2, 6]
    assert linear_collapse(seed=7)["with_relu"] == linear_collapse(seed=7)["with_relu"]  # seeded: repeatable
    with pytest.raises(WidgetError, match="three whole numbers"):
        linear_collapse(sizes=(4, 8))


# --------------------------------------------------------------------------- numpy shared memory
def test_shared_memory_facts():
    cases = {c["call"]: c for c in numpy_shared_memory()["cases"]}
    shared = cases["torch.from_numpy(a)"]
    assert shared["shares_memory"] and shared["other_side_changed"]
    assert shared["after"]["tensor"][0] == 100.0 and shared["before"]["tensor"][0] == 1.0
    assert shared["tensor_dtype"] == "torch.float64"   # NumPy's default dtype comes along
    back = cases["t.numpy()"]
    assert back["shares_memory"] and back["after"]["numpy"][0] == 100.0
    copied = cases["torch.tensor(a)"]
    assert not copied["shares_memory"] and not copied["other_side_changed"]
    assert copied["after"]["numpy"][0] == 100.0 and copied["after"]["tensor"][0] == 1.0


# --------------------------------------------------------------------------- device timing
def test_device_timing_on_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(tensor_widgets, "_accelerator", lambda: None)
    r = widgets.device_timing(sizes=(10, 1000), repeats=2)
    assert r["gpu_available"] is False
    assert "No GPU" in r["note"]
    assert [row["size"] for row in r["rows"]] == [10, 1000]
    for row in r["rows"]:
        assert row["cpu_ms"] > 0 and row["gpu_total_ms"] is None
    json.dumps(r, allow_nan=False)


def test_accelerator_detects_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *_: "Fake GPU")
    acc = tensor_widgets._accelerator()
    assert acc is not None and acc.device == "cuda" and acc.name == "Fake GPU"


def test_device_timing_gpu_branch_shape(monkeypatch):
    """The GPU branch with a fake accelerator that is really the CPU: checks the result's shape."""
    syncs = []
    fake = tensor_widgets.Accelerator("cpu", "Fake GPU", lambda: syncs.append(1))
    monkeypatch.setattr(tensor_widgets, "_accelerator", lambda: fake)
    r = widgets.device_timing(sizes=(10, 10_000), repeats=2, op="matmul")
    assert r["gpu_available"] is True and r["gpu_name"] == "Fake GPU" and r["gpu_startup_ms"] >= 0
    assert syncs, "GPU timings must synchronize"
    for row in r["rows"]:
        assert row["gpu_total_ms"] == pytest.approx(row["gpu_compute_ms"] + row["gpu_transfer_ms"])
        assert row["faster"] in ("cpu", "gpu") and row["gpu_speedup"] > 0
    assert r["rows"][1]["shape"] == [100, 100]
    json.dumps(r, allow_nan=False)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_device_timing_real_gpu():
    r = widgets.device_timing(sizes=(10, 1_000_000), repeats=3)
    assert r["gpu_available"] and r["gpu_device"] == "cuda"
    assert all(row["gpu_total_ms"] > 0 for row in r["rows"])


# --------------------------------------------------------------------------- precision spectrum
def test_precision_spectrum():
    rows = {r["dtype"]: r for r in widgets.precision_spectrum()["rows"]}
    assert rows["float16"]["underflows"] and rows["float16"]["stored"] == 0.0
    assert not rows["float32"]["underflows"] and not rows["bfloat16"]["underflows"]
    assert rows["float16"]["max"] == 65504.0
    assert rows["float32"]["eps"] == pytest.approx(2 ** -23)
    assert [r["bytes"] for r in rows.values()] == [8, 4, 2, 2]


# --------------------------------------------------------------------------- registry
def test_registry_lists_and_parses():
    names = [w["name"] for w in widgets.list_widgets()]
    assert names[:4] == ["autograd-explorer", "linear-collapse", "device-timing", "numpy-shared-memory"]
    explorer = get("autograd_explorer")
    assert explorer.parse_args(["--x", "-1", "--w1=0.25", "--mode", "autograd"]) == \
        {"x": -1.0, "w1": 0.25, "mode": "autograd"}
    assert get("linear-collapse").parse_args(["--sizes", "4x16x2"]) == {"sizes": (4, 16, 2)}
    assert get("device-timing").parse_args(["--sizes", "10,1_000"]) == {"sizes": (10, 1000)}
    defaults = {p.name: p.default for p in explorer.params}
    assert defaults == {"x": 2.0, "y": 1.0, "w1": 0.5, "b1": 0.1, "w2": -0.3, "b2": 0.2, "mode": "manual"}


@pytest.mark.parametrize("name, args, message", [
    ("nope", [], "There is no widget 'nope'"),
    ("autograd-explorer", ["--z", "1"], "no parameter --z"),
    ("autograd-explorer", ["--x"], "needs a value"),
    ("autograd-explorer", ["--x", "two"], "takes a number"),
    ("autograd-explorer", ["--mode", "fast"], "must be one of manual, autograd"),
    ("autograd-explorer", ["stray"], "expected a --parameter"),
    ("numpy-shared-memory", ["--x", "1"], "takes no parameters"),
    ("device-timing", ["--sizes", "10,0"], "between 1 and 20,000,000; 0 is not"),
    ("device-timing", ["--repeats", "1000"], "repeats must be between 1 and 100, not 1000"),
    ("device-timing", ["--op", "conv"], "must be one of add, matmul"),
])
def test_registry_errors_are_one_paragraph(name, args, message):
    with pytest.raises(WidgetError) as info:
        get(name).run_args(args)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_cli_widget(monkeypatch):
    from typer.testing import CliRunner

    from torchtutor.cli import UsageError, app

    runner = CliRunner()
    out = runner.invoke(app, ["widget", "autograd-explorer", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["manual"]["w2"] == pytest.approx(-2.486)
    out = runner.invoke(app, ["widget", "autograd-explorer", "--x", "-1"], env={"COLUMNS": "120"})
    assert out.exit_code == 0 and "0.678" not in out.output and "ReLU outputs 0" in out.output
    out = runner.invoke(app, ["widget", "autograd-explorer"], env={"COLUMNS": "120"})
    assert "-2.26 × 1.1 = -2.486" in out.output and "✓ -2.486" in out.output
    out = runner.invoke(app, ["widget", "--list", "--json"])
    assert [w["name"] for w in json.loads(out.output)][0] == "autograd-explorer"
    out = runner.invoke(app, ["widget", "linear-collapse", "--batch", "many"])
    assert isinstance(out.exception, UsageError) and "--batch takes a whole number" in str(out.exception)


# --------------------------------------------------------------------------- softmax explorer
def test_softmax_explorer_matches_torch_and_the_lesson_numbers():
    from torchtutor.widgets import softmax_explorer

    r = softmax_explorer()
    assert [round(p, 4) for p in r["probabilities"]] == [0.659, 0.2424, 0.0986]
    assert sum(r["probabilities"]) == pytest.approx(1.0)
    assert r["loss"] == pytest.approx(-math.log(r["probabilities"][0]))
    assert r["loss"] == pytest.approx(torch.nn.CrossEntropyLoss()(torch.tensor([[2.0, 1.0, 0.1]]),
                                                                  torch.tensor([0])).item(), rel=1e-6)
    assert r["all_match"] and r["predicted"] == 0 and r["correct"]
    assert r["uniform_loss"] == pytest.approx(math.log(3))
    json.dumps(r, allow_nan=False)


def test_softmax_explorer_gradient_is_p_minus_one_hot():
    from torchtutor.widgets import softmax_explorer

    r = softmax_explorer(logits=(0.5, 2.5, 0.3, -1.0), target=2)
    assert r["gradient"] == pytest.approx([p - (i == 2) for i, p in enumerate(r["probabilities"])], abs=1e-9)
    assert r["gradient"][2] < 0 and all(g > 0 for i, g in enumerate(r["gradient"]) if i != 2)
    assert not r["correct"] and r["predicted"] == 1


def test_softmax_first_has_the_lesson_floor():
    from torchtutor.widgets import softmax_explorer

    r = softmax_explorer(logits=(20.0,) + (0.0,) * 9, target=0)
    assert r["loss"] == pytest.approx(0.0, abs=1e-6)
    assert r["softmax_first"]["floor"] == pytest.approx(math.log(1 + 9 / math.e))
    assert r["softmax_first"]["loss"] == pytest.approx(r["softmax_first"]["floor"], abs=1e-6)


def test_softmax_explorer_two_classes_is_sigmoid_and_extremes_stay_finite():
    from torchtutor.widgets import softmax_explorer

    r = softmax_explorer(logits=(1.5, -0.5), target=0)
    assert r["sigmoid"]["p_first"] == pytest.approx(r["sigmoid"]["sigmoid_of_gap"])
    far = softmax_explorer(logits=(10000.0, -10000.0), target=1)
    assert far["loss"] == pytest.approx(20000.0) and far["all_match"]
    json.dumps(far, allow_nan=False)


@pytest.mark.parametrize("args,words", [
    (["--logits", "2"], "between 2 and"),
    (["--logits", "1,2", "--target", "5"], "from 0 to 1"),
    (["--logits", "1,x"], "numbers separated by commas"),
    (["--logits", "1,inf"], "finite"),
])
def test_softmax_explorer_bad_input_is_one_sentence(args, words):
    with pytest.raises(WidgetError, match=words):
        get("softmax-explorer").run_args(args)

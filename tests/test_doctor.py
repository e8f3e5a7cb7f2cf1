"""Tests for torchtutor.diagnose: the catalogue, the probes, the doctor and its corpus.

The corpus (tests/doctor/corpus/*.py) holds small synthetic training scripts, buggy and clean.
Each starts with ``# expect: id1, id2`` (empty for a clean script): the exact set of warning
ids the doctor must report for it. All corpus scripts run in one child process that imports
torch once and forks a fresh copy per script, two at a time.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.optim.optimizer as optimizer_module

import torchtutor.diagnose.hooks as probe_hooks

from torchtutor import diagnose
from torchtutor.diagnose import (CATALOGUE, PHASES, REQUIRED_IDS, DoctorUsageError, Finding, Probe, explain_exception,
                                 instrument, report_text, run_doctor, run_many)

# The corpus fixture runs ~100 scripts in one batch; on a loaded machine that alone can pass
# the suite's default 300 s per test.
pytestmark = pytest.mark.timeout(1200)

HERE = Path(__file__).parent
CORPUS = HERE / "doctor" / "corpus"
SCRIPTS = HERE / "doctor" / "scripts"
CORPUS_FILES = sorted(p for p in CORPUS.glob("*.py") if not p.name.startswith("_"))
SPEC_IDS = ("missing-zero-grad, softmax-before-cross-entropy, eval-mode-missing, no-grad-missing, device-mismatch, "
            "non-scalar-backward, inplace-autograd-conflict, layer-created-in-forward, missing-super-init, "
            "optimizer-missing-params, linear-collapse, class-prior-plateau, vanishing-gradients, exploding-gradients, "
            "label-dtype, loss-broadcast, whole-model-save, resume-without-optimizer-state, view-instead-of-permute, "
            "unshuffled-training-data, loss-accumulated-with-graph, step-before-backward, missing-optimizer-step, "
            "all-parameters-frozen, detached-loss").split(", ")


def expected(path: Path) -> set[str]:
    match = re.search(r"^# expect:(.*)$", path.read_text(), re.M)
    assert match, f"{path.name} has no '# expect:' header"
    return {part.strip() for part in match.group(1).split(",") if part.strip()}


def expected_infos(path: Path) -> set[str]:
    """The ids of ``# info: id1, id2``: notes the script must get (beside its exact warnings)."""
    match = re.search(r"^# info:(.*)$", path.read_text(), re.M)
    return {part.strip() for part in match.group(1).split(",") if part.strip()} if match else set()


#: Catalogue ids that are never a warning: a trade-off worth a note, not a silent mistake.
NOTE_ONLY = {"whole-model-save"}


def _digest(paths) -> dict[str, str]:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


# Realistic scripts (tests/doctor/realistic) with one mistake planted at a time:
# (name, base script, [(text, replacement), ...], expected warning ids).
REALISTIC = HERE / "doctor" / "realistic"
MUTANTS = [
    ("toy_cnn-clean", "toy_cnn.py", [], set()),
    ("toy_cnn-no-zero-grad", "toy_cnn.py", [("        optimizer.zero_grad()\n", "")], {"missing-zero-grad"}),
    ("toy_cnn-no-eval", "toy_cnn.py", [("    model.eval()\n", "")], {"eval-mode-missing"}),
    ("toy_cnn-no-no-grad", "toy_cnn.py", [("    with torch.no_grad():\n", "    if True:\n")], {"no-grad-missing"}),
    # shuffle=False over labels drawn at random: every batch already mixes the classes, so the
    # fixed order is a note (see test_unshuffled_mixed_labels_is_a_note); over the same data
    # sorted by label it is the silent mistake
    ("toy_cnn-no-shuffle", "toy_cnn.py", [("shuffle=True", "shuffle=False")], set()),
    ("toy_cnn-sorted-no-shuffle", "toy_cnn.py", [("shuffle=True", "shuffle=False"),
                                                 ("    return TensorDataset(images, labels)\n",
                                                  "    order = labels.argsort()\n"
                                                  "    return TensorDataset(images[order], labels[order])\n")],
     {"unshuffled-training-data"}),
    ("toy_cnn-step-first", "toy_cnn.py", [("        loss.backward()\n        optimizer.step()\n",
                                           "        optimizer.step()\n        loss.backward()\n")],
     {"step-before-backward"}),
    ("toy_cnn-no-step", "toy_cnn.py", [("        optimizer.step()\n", "")], {"missing-optimizer-step"}),
    ("toy_cnn-pickle", "toy_cnn.py", [("torch.save(model.state_dict(), ", "torch.save(model, ")], set()),
    ("toy_cnn-softmax", "toy_cnn.py", [("return F.log_softmax(x, dim=1)", "return F.softmax(x, dim=1)")],
     {"softmax-before-cross-entropy"}),
    ("toy_cnn-per-sample-loss", "toy_cnn.py", [("loss = F.nll_loss(output, target)\n",
                                                "loss = F.nll_loss(output, target, reduction='none')\n")],
     {"non-scalar-backward"}),
    ("toy_cnn-no-relu", "toy_cnn.py", [("x = F.relu(self.fc1(x))", "x = self.fc1(x)")], {"linear-collapse"}),
    ("toy_cnn-no-super", "toy_cnn.py", [("        super().__init__()\n", "")], {"missing-super-init"}),
    ("toy_cnn-head-only", "toy_cnn.py", [("Adadelta(model.parameters()", "Adadelta(model.fc2.parameters()")],
     {"optimizer-missing-params"}),
    ("toy_cnn-float-labels", "toy_cnn.py", [("loss = F.nll_loss(output, target)\n",
                                             "loss = F.nll_loss(output, target.float())\n")], {"label-dtype"}),
    ("toy_cnn-train-mode", "toy_cnn.py", [("optimizer, epoch):\n    model.train()\n", "optimizer, epoch):\n")],
     {"train-mode-not-restored"}),
    ("toy_cnn-frozen", "toy_cnn.py", [("    model = Net().to(device)\n", "    model = Net().to(device)\n"
                                       "    for p in model.parameters():\n        p.requires_grad = False\n")],
     {"all-parameters-frozen"}),
    ("toy_cnn-detached", "toy_cnn.py", [("output = model(data)\n        loss", "output = model(data).detach()\n        loss")],
     {"detached-loss"}),
    ("toy_cnn-layer-in-forward", "toy_cnn.py", [("        x = self.fc2(x)\n", "        x = nn.Linear(64, 4)(x)\n")],
     {"layer-created-in-forward"}),
    ("toy_cnn-huge-lr", "toy_cnn.py", [("default=1.0)", "default=1e6)")], {"exploding-gradients"}),
    ("pipeline-clean", "pipeline.py", [], set()),
    ("pipeline-fresh-optimizer", "pipeline.py", [('    optimizer.load_state_dict(checkpoint["optimizer"])\n', "")],
     {"resume-without-optimizer-state"}),
    ("pipeline-view", "pipeline.py", [("self.images[i].permute(2, 0, 1)", "self.images[i].view(3, 12, 12)")],
     {"view-instead-of-permute"}),
    ("pipeline-bn-eval", "pipeline.py", [("criterion):\n    model.eval()\n", "criterion):\n")], {"eval-mode-missing"}),
    ("pipeline-loss-tensor", "pipeline.py", [("total += loss.item() * len(labels)", "total += loss * len(labels)")],
     {"loss-accumulated-with-graph"}),
    ("pipeline-softmax", "pipeline.py", [("nn.Linear(16, classes))", "nn.Linear(16, classes), nn.Softmax(dim=1))")],
     {"softmax-before-cross-entropy"}),
    # Shapes draws its labels at random: a note, as for toy_cnn-no-shuffle
    ("pipeline-no-shuffle", "pipeline.py", [("batch_size=32, shuffle=True", "batch_size=32")], set()),
]


@pytest.fixture(scope="module")
def all_reports(tmp_path_factory):
    """Corpus and realistic mutants, run in one batch (torch imported once, forked per script)."""
    root = tmp_path_factory.mktemp("mutants")
    mutant_files = []
    for name, base, edits, _ in MUTANTS:
        text = (REALISTIC / base).read_text()
        for old, new in edits:
            assert old in text, (name, old)
            text = text.replace(old, new)
        (root / name).mkdir()
        mutant_files.append(root / name / base)
        mutant_files[-1].write_text(text)
    before = _digest(list(CORPUS.glob("*.py")) + list(REALISTIC.glob("*.py")))
    reports = run_many(CORPUS_FILES + mutant_files, max_seconds=60, parallel=2)
    after = _digest(list(CORPUS.glob("*.py")) + list(REALISTIC.glob("*.py")))
    assert before == after, "the doctor changed a script file"
    corpus = {p.name: r for p, r in zip(CORPUS_FILES, reports)}
    mutants = {m[0]: r for m, r in zip(MUTANTS, reports[len(CORPUS_FILES):])}
    return corpus, mutants


@pytest.fixture(scope="module")
def corpus_reports(all_reports):
    return all_reports[0]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_planted_mistake_in_a_realistic_script(mutant, all_reports):
    name, _, _, expect = mutant
    report = all_reports[1][name]
    got = {f.id for f in report.warnings}
    assert got == expect, (f"{name}: expected {sorted(expect)}, got {sorted(got)}\n"
                           + "\n".join(f"  {f.severity} {f.id}: {f.message}" for f in report.findings)
                           + f"\n--- output ---\n{report.output}")


def test_unshuffled_mixed_labels_is_a_note(all_reports):
    """Unshuffled loaders over randomly ordered labels get a note that measured the label order."""
    for name in ("toy_cnn-no-shuffle", "pipeline-no-shuffle"):
        notes = [f for f in all_reports[1][name].infos if f.id == "unshuffled-training-data"]
        assert len(notes) == 1, (name, [(f.severity, f.id) for f in all_reports[1][name].findings])
        ev = notes[0].evidence
        assert ev["labels_seen"] >= 32 and ev["classes_seen"] >= 3
        assert ev["label_change_rate"] > 0.25 * ev["random_order_change_rate"] > 0
    sorted_run = all_reports[1]["toy_cnn-sorted-no-shuffle"]
    warning = next(f for f in sorted_run.warnings if f.id == "unshuffled-training-data")
    assert warning.evidence["label_change_rate"] <= 0.25 * warning.evidence["random_order_change_rate"]


# --------------------------------------------------------------------------- catalogue
def test_catalogue_has_every_specified_id_with_complete_entries():
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert set(SPEC_IDS) <= set(ids)
    assert set(REQUIRED_IDS) == set(SPEC_IDS)
    phases = {p for p, _ in PHASES}
    for m in CATALOGUE:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", m.id)
        assert m.title and m.explanation and m.fix and m.detection
        assert m.phase in phases
        assert m.lesson in diagnose.LESSONS
        if "..." not in m.fix:
            compile(m.fix, m.id, "exec")  # the fix is real code
    data = json.loads(json.dumps(diagnose.catalogue_as_dicts()))
    assert [d["id"] for d in data] == ids
    assert {"id", "title", "explanation", "fix", "lesson", "phase", "module"} <= set(data[0])


def test_catalogue_text_lists_every_entry():
    text = diagnose.catalogue_text(width=300)
    for m in CATALOGUE:
        assert m.id in text and m.title in text


# --------------------------------------------------------------------------- corpus
def test_corpus_is_large_and_covers_the_catalogue():
    assert len(CORPUS_FILES) >= 30
    clean = [p for p in CORPUS_FILES if not expected(p)]
    assert len(clean) >= 10
    planted = set().union(*(expected(p) | expected_infos(p) for p in CORPUS_FILES))
    assert set(SPEC_IDS) <= planted
    assert {m.id for m in CATALOGUE} <= planted
    assert not NOTE_ONLY & set().union(*(expected(p) for p in CORPUS_FILES))


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_corpus_script_gets_exactly_its_warnings(path, corpus_reports):
    report = corpus_reports[path.name]
    got = {f.id for f in report.warnings}
    assert got == expected(path), (
        f"{path.name}: expected {sorted(expected(path))}, got {sorted(got)}\n"
        + "\n".join(f"  {f.severity} {f.id}: {f.message}" for f in report.findings)
        + f"\n--- output ---\n{report.output}\nsummary: {report.summary}")
    assert expected_infos(path) <= {f.id for f in report.infos}, (path.name, [(f.severity, f.id) for f in report.findings])
    assert not report.summary.get("probe_errors"), report.summary.get("probe_errors")


def test_every_catalogue_id_is_detected_somewhere(corpus_reports):
    seen = {f.id for r in corpus_reports.values() for f in r.warnings}
    assert {m.id for m in CATALOGUE} - NOTE_ONLY <= seen
    notes = {f.id for r in corpus_reports.values() for f in r.infos}
    assert NOTE_ONLY <= notes and not NOTE_ONLY & seen


def test_a_finding_points_at_its_cause_as_well_as_where_it_was_seen(corpus_reports):
    report = corpus_reports["bug_softmax_in_another_file.py"]
    f = next(f for f in report.warnings if f.id == "softmax-before-cross-entropy")
    assert Path(f.location.file).name == "bug_softmax_in_another_file.py"
    assert (Path(f.cause.file).name, f.cause.line) == ("_network.py", 14)
    assert "Caused at" in report_text(report, width=300) and "_network.py:14" in report_text(report, width=300)
    layer = next(f for f in corpus_reports["bug_relu_on_logits.py"].warnings if f.id == "activation-on-logits")
    assert layer.cause is not None and layer.cause.line == 12  # the line that built the final nn.ReLU()


def test_a_pickled_model_is_one_note_for_its_save_and_its_load(corpus_reports):
    report = corpus_reports["clean_whole_model_pickle.py"]
    notes = [f for f in report.findings if f.id == "whole-model-save"]
    assert len(notes) == 1 and notes[0].severity == "info"
    assert notes[0].evidence.get("occurrences") == 2  # the save, then the load of the same file


def test_false_positive_traps_get_an_info_with_the_reason(corpus_reports):
    traps = {
        "clean_grad_accumulation.py": "missing-zero-grad",
        "clean_mc_dropout.py": "eval-mode-missing",
        "clean_mc_dropout_train_mode.py": "eval-mode-missing",
        "clean_soft_labels.py": "label-dtype",
        "clean_low_rank.py": "linear-collapse",
        "clean_loss_module_in_forward.py": "layer-created-in-forward",
        "clean_staged_unfreezing.py": "all-parameters-frozen",
        "clean_log_softmax_into_ce.py": "softmax-before-cross-entropy",
        "clean_eval_in_loop_no_dropout.py": "train-mode-not-restored",
        "clean_gan_samples_train_mode.py": "eval-mode-missing",
        "clean_whole_model_pickle.py": "whole-model-save",
    }
    for name, mid in traps.items():
        report = corpus_reports[name]
        assert not report.warnings
        assert mid in {f.id for f in report.infos}, (name, [f.id for f in report.findings])
        assert "no warning" in next(f for f in report.infos if f.id == mid).message
    assert not corpus_reports["clean_transpose_reshape.py"].findings


def test_json_document_has_the_specified_shape(corpus_reports):
    for name, report in corpus_reports.items():
        data = json.loads(json.dumps(report.to_dict()))
        assert {"script", "exit_status", "findings", "summary"} <= set(data)
        assert data["script"].endswith(name)
        for f in data["findings"]:
            assert {"id", "severity", "phase", "message", "evidence", "fix", "location"} <= set(f)
            assert f["severity"] in ("warning", "info")
            assert f["phase"] in {p for p, _ in PHASES}
            assert isinstance(f["evidence"], dict)
            if f["location"] is not None:
                assert set(f["location"]) == {"file", "line"}
        assert data["summary"]["warnings"] == sum(f["severity"] == "warning" for f in data["findings"])
        assert report.exit_code == (4 if report.crashed else 1 if report.warnings else 0)
        assert data["summary"]["doctor_exit_code"] == report.exit_code
        assert report.crashed == bool(data["summary"]["crash"]) or data["summary"]["crash"].get("after_fast_forward")


def test_warnings_point_at_the_users_file(corpus_reports):
    for name, report in corpus_reports.items():
        for f in report.warnings:
            assert f.location is not None, (name, f.id)
            assert Path(f.location.file).parent in (CORPUS, Path(report.script).parent), (name, f.id, f.location)
            assert f.location.line >= 1


def test_messages_carry_numbers_and_the_fix_is_code(corpus_reports):
    for name, report in corpus_reports.items():
        for f in report.warnings:
            assert len(f.message) > 80, (name, f.id)
            assert f.fix and f.fix != f.message
            assert f.evidence, (name, f.id)


def test_specific_evidence(corpus_reports):
    zero = next(f for f in corpus_reports["bug_missing_zero_grad.py"].warnings if f.id == "missing-zero-grad")
    assert zero.evidence["accumulated_grad_norm"] > zero.evidence["batch_grad_norm"]
    broadcast = corpus_reports["bug_loss_broadcast.py"].warnings[0]
    assert broadcast.evidence["input_shape"] == [256, 1] and broadcast.evidence["target_shape"] == [256]
    assert broadcast.evidence["broadcast_shape"] == [256, 256]
    view = corpus_reports["bug_view_instead_of_permute.py"].warnings[0]
    assert view.evidence["from_shape"] == [64, 12, 12, 3] and view.evidence["to_shape"] == [64, 3, 12, 12]
    assert "x.permute(0, 3, 1, 2)" in view.message
    assert view.location.line == _line_of(CORPUS / "bug_view_instead_of_permute.py", "images.view(")
    collapse = corpus_reports["bug_linear_collapse.py"].warnings[0]
    assert "0: Linear(20, 128)" in collapse.evidence["first"]
    prior = corpus_reports["bug_class_prior_plateau.py"].warnings[0]
    assert abs(prior.evidence["late_loss"] - prior.evidence["label_entropy"]) < 0.1
    assert prior.evidence["top_prediction_share"] >= 0.9
    vanish = corpus_reports["bug_vanishing.py"].warnings[0]
    assert vanish.evidence["ratio_first_to_last"] < 1e-3


def _line_of(path: Path, text: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return i
    raise AssertionError(f"{text!r} not in {path}")


def test_inplace_conflict_is_replayed_to_find_both_lines(corpus_reports):
    report = corpus_reports["bug_inplace_conflict.py"]
    f = report.warnings[0]
    path = CORPUS / "bug_inplace_conflict.py"
    assert f.evidence["produced_at"].endswith(f":{_line_of(path, 'g = torch.sigmoid')}")
    assert f.evidence["modified_at"].endswith(f":{_line_of(path, 'g += 0.1')}")
    assert f.location.line == _line_of(path, "g += 0.1")
    assert report.summary["crash"]["type"] == "RuntimeError"
    assert report.exit_status == 1


def test_crash_keeps_earlier_findings(corpus_reports):
    report = corpus_reports["bug_crash_after_findings.py"]
    assert {f.id for f in report.warnings} == {"missing-zero-grad", "label-dtype"}
    assert report.summary["crash"]["id"] == "label-dtype"
    assert report.exit_status == 1


def test_report_text_reads_by_phase(corpus_reports):
    text = report_text(corpus_reports["bug_several_mistakes.py"])
    positions = [text.index(heading) for _, heading in PHASES]
    assert positions == sorted(positions)
    assert "WARNING missing-zero-grad" in text and "Fix:" in text and "optimizer.zero_grad()" in text
    assert "bug_several_mistakes.py:" in text
    assert "Per-parameter gradient norms at the first backward pass" in text
    assert "One iteration: forward -> loss -> backward -> step" in text
    clean = report_text(corpus_reports["clean_mlp_classifier.py"])
    assert "No mistakes from the catalogue were seen." in clean
    assert "Total params: 1,604" in clean          # the torchinfo summary
    assert "zero_grad -> forward -> loss -> backward -> step" in clean
    assert "accuracy" in clean


# --------------------------------------------------------------------------- the runner
def test_max_steps_cuts_training_and_still_reaches_evaluation():
    report = run_doctor(SCRIPTS / "long_training.py", ["500"], max_steps=30, max_seconds=600, output="capture")
    assert report.summary["cut_short"] == "max-steps"
    assert report.summary["fast_forward_step"] == 30
    # step 31 ends the first epoch's pass (one more batch), then each of the 499 epochs left
    # takes one batch: counted in steps, so no machine load can change it
    assert report.summary["steps"] == 31 + 499
    assert {f.id for f in report.warnings} == {"eval-mode-missing"}
    assert "accuracy" in report.output
    assert "reached --max-steps 30 at step 30; from then on each pass over a DataLoader yielded one batch" \
        in " ".join(report_text(report, width=400).split())


def test_the_step_budget_fast_forwards_the_same_way_on_every_run():
    """Without --max-steps, fast-forward starts after FAST_FORWARD_AFTER_STEPS optimizer steps, so
    two runs of one script (here at once, competing for the CPU) give the same findings."""
    budget = probe_hooks.FAST_FORWARD_AFTER_STEPS
    first, second = run_many([(SCRIPTS / "long_training.py", ["100"])] * 2, max_seconds=900, parallel=2)
    for report in (first, second):
        assert report.summary["cut_short"] == "step-budget"
        assert report.summary["fast_forward_step"] == budget
        # 48 batches an epoch: the budget ends in epoch 21, whose pass gets one more batch, then
        # each of the 79 epochs left gets one
        assert report.summary["steps"] == budget + 1 + (100 - budget // 48 - 1)
        assert "accuracy" in report.output
        assert "the doctor's step budget of 1,000 optimizer steps" in " ".join(report_text(report, width=400).split())

    def facts(report):
        return [(f.id, f.severity, f.message, f.location, f.evidence) for f in report.findings]

    assert facts(first) == facts(second) and {f.id for f in first.warnings} == {"eval-mode-missing"}
    assert first.observations == second.observations


def test_round_step_grid():
    assert [probe_hooks.round_step(n) for n in (0, 1, 2, 4, 11, 99, 101, 160, 347, 999, 1001, 4000)] == \
        [1, 1, 2, 5, 15, 100, 150, 200, 500, 1000, 1500, 5000]


@pytest.mark.parametrize("source", ["sampler", "cycle"])
def test_an_endless_loader_is_bounded_by_steps_and_the_evaluation_runs(source):
    report = run_doctor(SCRIPTS / "endless_loaders.py", [source], max_steps=20, max_seconds=600, output="capture")
    assert report.summary["cut_short"] == "max-steps" and report.summary["fast_forward_step"] == 20
    assert report.summary["steps"] == 21          # one more batch, then the endless loop ends
    assert "accuracy" in report.output            # the code after the loop ran
    assert report.warnings == [] and not report.summary.get("crash")


def test_half_the_time_budget_fast_forwards_to_the_evaluation():
    # 48 batches of 50 ms per epoch: half of the 12 s left at the first step trains normally, then
    # fast-forward starts at the next round step count and each epoch takes one batch
    report = run_doctor(SCRIPTS / "long_training.py", ["30", "0.05"], max_seconds=12, output="capture")
    assert report.summary["cut_short"] == "max-seconds"
    step = report.summary["fast_forward_step"]
    assert step > 0 and step == probe_hooks.round_step(step)
    assert (f"Half of the time that --max-seconds 12 left when training began was spent before the step budget was "
            f"reached; fast-forward started at step {step}") in " ".join(report_text(report, width=400).split())
    assert {f.id for f in report.warnings} == {"eval-mode-missing"}
    assert "accuracy" in report.output


def test_max_seconds_stops_a_hung_script_and_keeps_findings():
    report = run_doctor(SCRIPTS / "stuck_after_training.py", max_seconds=8, output="capture")
    # stopped by the doctor's own timer ("max-seconds"), not killed after the 30 s grace period
    # ("killed"), and not before the limit: what the child measured from the start of the script
    assert report.summary["cut_short"] == "max-seconds"
    assert report.summary["duration_s"] >= 8
    assert report.summary["stopped_at_step"] == 10
    assert "stopped by the --max-seconds limit of 8 s" in " ".join(report_text(report, width=400).split())
    assert {f.id for f in report.warnings} == {"missing-zero-grad"}


def test_max_seconds_interrupts_pure_python_code():
    report = run_doctor(SCRIPTS / "stuck_pure_python.py", max_seconds=2, output="capture")
    assert report.summary["cut_short"] == "max-seconds"       # the timer's signal, not the kill
    assert report.summary["duration_s"] >= 2
    assert "spinning" in report.output and report.findings == []


def test_a_crash_has_its_own_exit_code_and_its_message_is_plain_text(tmp_path):
    script = tmp_path / "crashes.py"
    script.write_text("import torch\n"
                      "model = torch.nn.Linear(3, 2)\n"
                      "print(model(torch.randn(4, 3)).sum().item())\n"
                      "raise RuntimeError('\\x1b[31mCUDA out of memory\\x1b[0m (simulated)')\n")
    report = run_doctor(script, max_seconds=30, output="capture")
    assert report.crashed and report.exit_code == diagnose.doctor.EXIT_CRASHED == 4
    data = json.loads(json.dumps(report.to_dict()))
    assert data["summary"]["crashed"] is True and data["summary"]["doctor_exit_code"] == 4
    assert "\x1b" not in json.dumps(data) and "CUDA out of memory (simulated)" in data["summary"]["crash"]["message"]
    assert "\x1b" not in report_text(report) and "Exit code 4" in report.summary["verdict"]
    clean = tmp_path / "clean.py"
    clean.write_text("print('fine')\n")
    ok = run_doctor(clean, max_seconds=30, output="capture")
    assert not ok.crashed and ok.exit_code == 0 and ok.summary["doctor_exit_code"] == 0


def test_script_runs_as_main_with_its_argv_and_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # as with `python script.py`, the caller's folder stays the working directory
    out = tmp_path / "env.json"
    report = run_doctor(SCRIPTS / "report_environment.py", [str(out), "--flag", "x y"], output="capture")
    seen = json.loads(out.read_text())
    assert seen["name"] == "__main__"
    assert seen["argv"] == [str(SCRIPTS / "report_environment.py"), str(out), "--flag", "x y"]
    assert Path(seen["cwd"]) == tmp_path
    assert Path(seen["path0"]) == SCRIPTS
    assert "hello from the script" in report.output
    assert report.exit_status == 0 and report.exit_code == 0 and not report.findings


def test_exit_status_of_the_script_is_reported():
    report = run_doctor(SCRIPTS / "exits_with_status.py", ["3"], output="quiet")
    assert report.exit_status == 3
    assert "exited with status 3" in report.summary["verdict"]


def test_usage_errors(tmp_path):
    with pytest.raises(DoctorUsageError, match="No such script"):
        run_doctor(tmp_path / "missing.py")
    with pytest.raises(DoctorUsageError, match="is a folder"):
        run_doctor(tmp_path)
    with pytest.raises(DoctorUsageError, match="--max-steps"):
        run_doctor(SCRIPTS / "exits_with_status.py", max_steps=0)
    with pytest.raises(DoctorUsageError, match="--max-seconds"):
        run_doctor(SCRIPTS / "exits_with_status.py", max_seconds=-1)


# --------------------------------------------------------------------------- in-process API
def _loop(model, steps=6, zero=True, accumulate=1):
    torch.manual_seed(0)
    X, y = torch.randn(64, 10), torch.randint(0, 3, (64,))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(steps):
        if zero and step % accumulate == 0:
            opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        if (step + 1) % accumulate == 0:
            opt.step()
    return loss


def test_instrument_finds_missing_zero_grad_in_process():
    with instrument() as session:
        _loop(nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3)), zero=False)
    assert session.ids == {"missing-zero-grad"}
    f = session.warnings[0]
    assert isinstance(f, Finding) and "zero_grad" in f.fix and f.location.file == __file__


def test_instrument_is_quiet_on_correct_code_and_accepts_accumulation():
    with instrument() as session:
        _loop(nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3)), steps=8, accumulate=2)
    assert session.ids == set()
    assert "missing-zero-grad" in {f.id for f in session.infos}


def test_instrument_removes_every_patch():
    def current():
        return (torch.save, torch.load, torch.autograd.backward, nn.functional.cross_entropy, torch.Tensor.view,
                torch.Tensor.reshape, torch.reshape, nn.Module.__init__, torch.optim.Optimizer.zero_grad,
                itertools.cycle, torch.bmm, torch.matmul, nn.functional.scaled_dot_product_attention)

    originals = current()
    hooks = (len(nn.modules.module._global_forward_pre_hooks), len(nn.modules.module._global_forward_hooks),
             len(optimizer_module._global_optimizer_pre_hooks))
    with instrument():
        assert torch.save is not originals[0] and itertools.cycle is not originals[9] and torch.bmm is not originals[10]
    assert current() == originals
    assert "view" not in torch.Tensor.__dict__ and "__matmul__" not in torch.Tensor.__dict__
    assert hooks == (len(nn.modules.module._global_forward_pre_hooks), len(nn.modules.module._global_forward_hooks),
                     len(optimizer_module._global_optimizer_pre_hooks))


def _every_entry_point(tmp_path):
    """A small script that goes through every function the probe wraps."""
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = torch.utils.data.TensorDataset(torch.randn(32, 4), torch.randint(0, 3, (32,)))
    for xb, yb in torch.utils.data.DataLoader(data, batch_size=8, shuffle=True):
        opt.zero_grad()
        model.zero_grad()
        out = model(xb.view(8, 4).reshape(8, 4))
        loss = nn.functional.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        assert out.argmax(1).shape == (8,)
        assert torch.bmm(out.view(2, 4, 3), out.view(2, 4, 3).transpose(1, 2)).shape == (2, 4, 4)
    w = torch.ones(3, requires_grad=True) * 2
    with pytest.warns(UserWarning):
        assert w.grad is None
    torch.save(model.state_dict(), tmp_path / "m.pt")
    model.load_state_dict(torch.load(tmp_path / "m.pt"))
    opt.load_state_dict(opt.state_dict())
    return model


_ENTRY_POINTS = sorted(name for name in vars(probe_hooks.Hooks) if name.startswith("_on_"))


@pytest.mark.parametrize("handler", _ENTRY_POINTS)
def test_an_error_inside_a_wrapper_never_reaches_the_script(handler, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in the probe")

    monkeypatch.setattr(probe_hooks.Hooks, handler, broken)
    with instrument() as session:
        _every_entry_point(tmp_path)
    assert any("a bug in the probe" in e for e in session.internal_errors), (handler, session.internal_errors)
    assert session.findings is not None


@pytest.mark.parametrize("detector", diagnose.detectors.DETECTORS, ids=lambda d: d.__name__)
def test_an_error_inside_a_detector_never_reaches_the_script(detector, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in a detector")

    names = [n for n in vars(detector) if n.startswith("on_") or n in ("finish", "settle")]
    assert names
    for name in names:
        monkeypatch.setattr(detector, name, broken)
    with instrument() as session:
        _every_entry_point(tmp_path)
    assert any("a bug in a detector" in e for e in session.internal_errors)


def test_every_wrapper_is_the_guarded_one():
    with instrument():
        wrapped = [torch.save, torch.load, torch.autograd.backward, nn.functional.cross_entropy, torch.Tensor.view,
                   nn.Module.__init__, nn.Module.zero_grad, nn.Module.load_state_dict, torch.optim.Optimizer.__init__,
                   torch.optim.Optimizer.zero_grad, torch.optim.Optimizer.load_state_dict,
                   torch.utils.data.DataLoader.__iter__, torch.Tensor.grad.fget]
        assert all(f.__code__ is probe_hooks.guarded(len).__code__ for f in wrapped)


def test_instrument_records_and_reraises_a_crash():
    model = nn.Linear(4, 3)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        with instrument() as session:
            nn.functional.cross_entropy(model(torch.randn(5, 4)), torch.tensor([0, 1, 2, 0, 1]),
                                        reduction="none").backward()
    assert session.ids == {"non-scalar-backward"}
    assert session.warnings[0].evidence["shape"] == [5]


def test_instrument_with_a_step_budget_stops_cleanly():
    with instrument(max_steps=3) as session:
        _loop(nn.Sequential(nn.Linear(10, 3)), steps=50)
    assert session.cut_short == "max-steps"
    assert session.n_steps == 3


def test_cycle_over_a_loader_under_the_probe_is_still_a_cycle():
    data = torch.utils.data.TensorDataset(torch.arange(10.0), torch.arange(10))
    loader = torch.utils.data.DataLoader(data, batch_size=4)
    expect = [b[1].tolist() for b in itertools.islice(itertools.cycle(loader), 7)]
    with instrument():
        got = [b[1].tolist() for b in itertools.islice(itertools.cycle(loader), 7)]
        assert list(itertools.islice(itertools.cycle("ab"), 3)) == ["a", "b", "a"]   # other cycles untouched
    assert got == expect == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3]]


def test_only_one_probe_at_a_time():
    with instrument():
        with pytest.raises(RuntimeError, match="already installed"):
            Probe().install()


def test_checker_style_checks():
    # parameter update outside no_grad (checker feedback)
    w = torch.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        with instrument() as session:
            loss = (w * 2).sum()
            loss.backward()
            w -= 0.1 * w.grad
    assert session.ids == {"update-outside-no-grad"}

    # layers stacked with no activation
    with instrument() as session:
        _loop(nn.Sequential(nn.Linear(10, 16), nn.Linear(16, 3)), steps=2)
    assert session.ids == {"linear-collapse"}

    # model.forward(x) instead of model(x)
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(10, 3)

        def forward(self, x):
            return self.fc(x)

    net = Net()
    with instrument() as session:
        nn.functional.cross_entropy(net.forward(torch.randn(4, 10)), torch.tensor([0, 1, 2, 0])).backward()
    assert session.ids == {"forward-called-directly"}

    # step without backward
    with instrument() as session:
        model = nn.Linear(10, 3)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            nn.functional.cross_entropy(model(torch.randn(4, 10)), torch.tensor([0, 1, 2, 0]))
            opt.step()
    assert session.ids == {"missing-backward"}


# --------------------------------------------------------------------------- explain_exception
def _raise(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the point is to catch what torch raises
        return exc
    raise AssertionError("no exception")


def test_explain_exception_translates_the_known_crashes():
    cases = {
        "non-scalar-backward": lambda: (torch.randn(3, requires_grad=True) * 2).backward(),
        "detached-loss": lambda: torch.randn(3).sum().backward(),
        "device-mismatch": lambda: nn.Linear(3, 2).to("meta")(torch.randn(4, 3)),
        "label-dtype": lambda: nn.functional.cross_entropy(torch.randn(4, 3), torch.tensor([0.0, 1, 2, 1])),
        "update-outside-no-grad": lambda: torch.zeros(2, requires_grad=True).sub_(1),
    }
    for mid, fn in cases.items():
        finding = explain_exception(_raise(fn))
        assert finding is not None and finding.id == mid, (mid, finding)
        assert finding.severity == "warning" and finding.location.file == __file__

    class NoInit(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    finding = explain_exception(_raise(NoInit))
    assert finding.id == "missing-super-init" and finding.evidence["class"] == "NoInit"

    def inplace():
        a = torch.randn(3, requires_grad=True)
        b = a.sigmoid()
        b.mul_(2)
        b.sum().backward()

    assert explain_exception(_raise(inplace)).id == "inplace-autograd-conflict"
    assert explain_exception(ValueError("something else")) is None
    frozen = explain_exception(_raise(lambda: torch.randn(3).sum().backward()), {"all_frozen": True})
    assert frozen.id == "all-parameters-frozen"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_real_cuda_device_mismatch_is_translated():
    exc = _raise(lambda: nn.Linear(3, 2).cuda()(torch.randn(4, 3)))
    finding = explain_exception(exc)
    assert finding.id == "device-mismatch" and "cuda:0" in finding.evidence["devices"]


def test_cuda_style_device_messages_are_translated():
    for text in ("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
                 "Expected all tensors to be on the same device, but got mat1 is on cpu, different from other "
                 "tensors on cuda:0 (when checking argument in method wrapper_CUDA_addmm)",
                 "Input type (torch.FloatTensor) and weight type (torch.cuda.FloatTensor) should be the same"):
        finding = explain_exception(RuntimeError(text))
        assert finding is not None and finding.id == "device-mismatch", text
        assert "cpu" in finding.evidence["devices"]
    assert explain_exception(RuntimeError(
        "Input type (torch.DoubleTensor) and weight type (torch.FloatTensor) should be the same")) is None


# --------------------------------------------------------------------------- layering
def test_diagnose_imports_no_upper_layer():
    code = ("import sys, torchtutor.diagnose; "
            "bad = [m for m in sys.modules if m.startswith(('torchtutor.cli', 'torchtutor.runner', "
            "'torchtutor.progress', 'torchtutor.curriculum', 'rich', 'typer'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_finding_roundtrip():
    f = Finding(id="missing-zero-grad", severity="warning", message="m", evidence={"x": math.inf},
                location=diagnose.Location("a.py", 3))
    data = json.loads(json.dumps(f.to_dict()))
    assert data["evidence"]["x"] == "inf" and data["lesson"] == "autograd"
    assert Finding.from_dict(data).location == f.location

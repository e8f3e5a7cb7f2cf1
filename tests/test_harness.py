"""The check harness, through the real runner: every ordinary failure of learner code
comes back as a verdict that says what happened and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchtutor.runner import CheckRequest, Runner

CHECKER = '''
import torch
from torchtutor.checks import Wrong, expect_tensor

def check(ex):
    X = torch.arange(6.0).reshape(2, 3)
    w = torch.tensor([1.0, 2.0, 3.0])
    expect_tensor(ex.call("forward", X, w), X @ w, name="forward(X, w)", wrong=[
        Wrong("forward multiplied element by element with `*`; a forward pass needs `@`.",
              when=lambda y: y.shape == (2, 3), failure="star-vs-matmul")])
    return "forward computes X @ w."
'''


@pytest.fixture(scope="module")
def runner():
    with Runner() as r:
        yield r


def run(runner: Runner, tmp_path: Path, source: str):
    learner = tmp_path / "exercise.py"
    learner.write_text(source)
    checker = tmp_path / "checker.py"
    checker.write_text(CHECKER)
    return runner.run(CheckRequest("t/forward", str(learner), str(checker), timeout=5))


def test_pass(runner, tmp_path):
    v = run(runner, tmp_path, "def forward(X, w):\n    return X @ w\n")
    assert v.passed and v.summary == "forward computes X @ w."


def test_syntax_error_has_line_and_caret(runner, tmp_path):
    v = run(runner, tmp_path, "import torch\n\ndef forward(X, w)\n    return X @ w\n")
    assert not v.passed and v.failure == "syntax-error"
    assert "line 3 of exercise.py" in v.summary
    assert v.details[0] == "   3 | def forward(X, w)"
    assert v.details[1] == "     | " + " " * len("def forward(X, w)") + "^"  # the caret sits where ':' is missing


def test_import_error_is_named(runner, tmp_path):
    v = run(runner, tmp_path, "import torchh\n")
    assert not v.passed and v.failure == "import-error"
    assert "No module named 'torchh'" in v.summary


def test_exception_in_learner_function_names_its_line(runner, tmp_path):
    v = run(runner, tmp_path, "def forward(X, w):\n    y = X @ w\n    return y.reshape(5)\n")
    assert not v.passed
    assert v.summary.startswith("Calling `forward(...)` raised RuntimeError on line 3")
    assert "line 3: return y.reshape(5)" in v.details


def test_exception_at_top_level_names_its_line(runner, tmp_path):
    v = run(runner, tmp_path, "x = 1\nraise ValueError('boom')\n")
    assert not v.passed and v.summary == "Your code raised ValueError on line 2: boom"


def test_known_wrong_answer_gets_its_message(runner, tmp_path):
    v = run(runner, tmp_path, "def forward(X, w):\n    return X * w\n")
    assert not v.passed and v.failure == "star-vs-matmul" and "`@`" in v.summary


def test_missing_name_and_placeholder(runner, tmp_path):
    v = run(runner, tmp_path, "def forwrd(X, w):\n    return X @ w\n")
    assert v.summary == "Your file does not define `forward` yet." and v.failure == "missing-name"
    v = run(runner, tmp_path, "forward = None\n")
    assert v.failure == "placeholder"


def test_wrong_values_report_worst_element(runner, tmp_path):
    v = run(runner, tmp_path, "def forward(X, w):\n    return X @ w + 0.5 * (X[:, 0] == 3)\n")
    assert not v.passed and v.failure == "wrong-values"
    assert "1 of 2 elements differ" in v.summary and "index 1: got 26.5, expected 26" in v.summary


def test_learner_output_is_captured(runner, tmp_path):
    v = run(runner, tmp_path, "print('hello from the learner')\ndef forward(X, w):\n    return X @ w\n")
    assert v.passed and "hello from the learner" in v.stdout

"""tensors: realistic wrong answers get a verdict that names the mistake.

Each case starts from the reference solution, makes one slip a learner would make,
runs it through the harness with the real checker, and checks the failure tag, the
misconception (where there is one) and words in the summary. The lesson's five
classic slips (float64 from NumPy, `*` for `@`, `view` on a non-contiguous tensor,
the shared memory of `from_numpy`, device mismatch) each have cases here.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from torchtutor.checks.harness import run_exercise
from torchtutor.curriculum.markdown import code_blocks

LESSON = Path(__file__).resolve().parents[2] / "src" / "torchtutor" / "course" / "pytorch-core" / "tensors"
STEMS = ["mirror_numpy", "inspect_and_fix", "forward_pass", "shared_memory", "channels_first", "device_aware",
         "center_rows"]


def slip(stem: str, old: str, new: str) -> str:
    source = (LESSON / "solutions" / f"{stem}.py").read_text(encoding="utf-8")
    assert old in source, f"{stem}: the solution no longer contains {old!r}"
    return source.replace(old, new)


def run(stem: str, source: str, tmp_path: Path):
    path = tmp_path / f"{stem}.py"
    path.write_text(source, encoding="utf-8")
    return run_exercise(f"tensors/{stem.replace('_', '-')}", str(path), str(LESSON / "checkers" / f"{stem}.py"))


# (stem, old, new, failure tag, misconception or None, words the summary must contain)
CASES = [
    # float64 from NumPy
    ("mirror_numpy", "table = torch.from_numpy(table_np).float()", "table = torch.from_numpy(table_np)",
     "float64-from-numpy", "float64-is-more-accurate", "float64"),
    ("mirror_numpy", "torch.tensor([0.5, -1.0, 2.0])", "torch.tensor(np.array([0.5, -1.0, 2.0]))",
     "float64-from-numpy", "float64-is-more-accurate", "float64"),
    ("mirror_numpy", "torch.zeros(3, 4)", "torch.zeros(12)", "wrong-shape", None, "3 x 4"),
    ("mirror_numpy", "torch.tensor([[1, 2], [3, 4]])", "torch.tensor([[1.0, 2.0], [3.0, 4.0]])",
     "wrong-dtype", None, "int64"),
    ("mirror_numpy", "torch.randn(2, 3)", "torch.rand(2, 3)", "wrong-values", None, "torch.rand"),
    ("inspect_and_fix", "torch.from_numpy(X_np).float().to(device)", "torch.from_numpy(X_np).to(device)",
     "float64-from-numpy", "float64-is-more-accurate", "float64"),
    ("inspect_and_fix", "torch.from_numpy(y_np).float().reshape(-1, 1).to(device)",
     "torch.from_numpy(y_np).float().to(device)", "target-shape", "vector-equals-column", "column"),
    ("forward_pass", "X = torch.randn(100, 3)",
     "import numpy as np; np.random.seed(0); X = torch.from_numpy(np.random.randn(100, 3))",
     "float64-from-numpy", "float64-is-more-accurate", "float64"),
    ("shared_memory", "torch.tensor(arr, dtype=torch.float32)", "torch.tensor(arr)",
     "float64-from-numpy", "float64-is-more-accurate", "float64"),
    # `*` where `@` belongs
    ("forward_pass", "return X @ w + b ", "return X * w + b ", "star-vs-matmul", "star-is-matmul", "`*`"),
    ("forward_pass", "return X @ w + b ", "return w @ X + b ", "RuntimeError", None, "wrong order"),
    ("forward_pass", "return X @ w + b ", "return X @ w ", "missing-bias", None, "bias"),
    # view on a non-contiguous tensor; reshape where permute is needed
    ("channels_first", "images.reshape(images.shape[0], -1)", "images.view(images.shape[0], -1)",
     "view-non-contiguous", "view-works-on-any-tensor", ".view()"),
    ("channels_first", "images.permute(0, 3, 1, 2)",
     "images.reshape(images.shape[0], images.shape[3], images.shape[1], images.shape[2])",
     "reshape-not-permute", "reshape-moves-axes", "scrambles the pixels"),
    ("channels_first", "images.permute(0, 3, 1, 2)", "images.transpose(1, 3)", "wrong-axis-order", None,
     "height and width"),
    ("channels_first", "images.reshape(images.shape[0], -1)", "images.reshape(-1)", "wrong-shape", None,
     "batch axis"),
    # the shared memory of from_numpy and .numpy()
    ("shared_memory", "torch.tensor(arr, dtype=torch.float32)", "torch.from_numpy(arr)",
     "shared-memory", "from-numpy-copies", "shares memory"),
    ("shared_memory", "torch.tensor(arr, dtype=torch.float32)", "torch.from_numpy(arr).float()",
     "shared-memory", "from-numpy-copies", "shares float32 ones"),
    ("shared_memory", "t.numpy().copy()", "t.numpy()", "shared-memory", "from-numpy-copies", "to_array"),
    # device mismatch
    ("device_aware", "    W = W.to(X.device)      # bring the parameters to the data\n    b = b.to(X.device)\n", "",
     "device-mismatch", "devices-mix-automatically", "mixed devices"),
    ("device_aware", "    b = b.to(X.device)\n", "", "device-mismatch", "devices-mix-automatically", "two devices"),
    ("device_aware", "W = W.to(X.device)", "X = X.to(W.device)", "wrong-device", None, "back to the CPU"),
    ("device_aware", "t.detach().cpu().numpy()", "t.detach().numpy()", "device-mismatch",
     "devices-mix-automatically", "trip to the CPU"),
    ("device_aware", "t.detach().cpu().numpy()", "t.cpu().numpy()", "requires-grad", None, "tracks gradients"),
    ("device_aware", 'torch.device("cuda" if torch.cuda.is_available() else "cpu")', 'torch.device("cpu")',
     "hard-coded-device", None, "torch.cuda.is_available()"),
    ("inspect_and_fix", "torch.from_numpy(X_np).float().to(device)", "torch.from_numpy(X_np).float()",
     "device-mismatch", "devices-mix-automatically", "ignores its `device` argument"),
    # reductions
    ("center_rows", "X - X.mean(dim=1, keepdim=True)", "X - X.mean(dim=1)", "missing-keepdim",
     "reduction-keeps-dims", "keepdim"),
    ("center_rows", "X - X.mean(dim=1, keepdim=True)", "X - X.mean(dim=0)", "wrong-dim", None, "each column"),
    ("center_rows", "X.max(dim=1, keepdim=True).values", "X.max(dim=1, keepdim=True)", "max-returns-pair", None,
     "pair"),
]


@pytest.mark.parametrize("stem, old, new, failure, misconception, words", CASES,
                         ids=[f"{c[0]}:{c[3]}:{i}" for i, c in enumerate(CASES)])
def test_slip_gets_a_verdict_that_names_it(stem, old, new, failure, misconception, words, tmp_path) -> None:
    verdict = run(stem, slip(stem, old, new), tmp_path)
    assert not verdict.passed, f"{stem}: the slip {new!r} passed"
    assert verdict.failure == failure, (verdict.failure, verdict.summary)
    if misconception:
        assert misconception in verdict.misconceptions, (verdict.misconceptions, verdict.summary)
    assert words in verdict.summary, verdict.summary


# Slips that are not slips: other right answers must pass.
ALTERNATIVES = [
    ("mirror_numpy", "torch.zeros(3, 4)", "torch.zeros((3, 4))"),
    ("mirror_numpy", "torch.from_numpy(table_np).float()", "torch.tensor(table_np, dtype=torch.float32)"),
    ("forward_pass", "return X @ w + b ", "return torch.matmul(X, w) + b "),
    ("forward_pass", "return X @ w + b ", "return (X * w).sum(dim=1) + b "),
    ("shared_memory", "torch.tensor(arr, dtype=torch.float32)", "torch.from_numpy(arr).clone().float()"),
    ("shared_memory", "t.numpy().copy()", "t.clone().numpy()"),
    ("channels_first", "images.reshape(images.shape[0], -1)", "images.contiguous().view(len(images), -1)"),
    ("channels_first", "images.reshape(images.shape[0], -1)", "images.flatten(start_dim=1)"),
    ("device_aware", "    W = W.to(X.device)      # bring the parameters to the data\n    b = b.to(X.device)\n    return X @ W + b",
     "    return torch.addmm(b.to(X.device), X, W.to(X.device))"),
    ("center_rows", "X.max(dim=1, keepdim=True).values", "X.amax(dim=1, keepdim=True)"),
]


@pytest.mark.parametrize("stem, old, new", ALTERNATIVES, ids=[f"{c[0]}:{i}" for i, c in enumerate(ALTERNATIVES)])
def test_other_right_answers_pass(stem, old, new, tmp_path) -> None:
    verdict = run(stem, slip(stem, old, new), tmp_path)
    assert verdict.passed, verdict.summary


@pytest.mark.parametrize("stem", STEMS)
def test_starter_fails_and_solution_passes(stem) -> None:
    checker = str(LESSON / "checkers" / f"{stem}.py")
    starter = run_exercise(f"tensors/{stem}", str(LESSON / "exercises" / f"{stem}.py"), checker)
    assert not starter.passed and starter.summary, starter
    solution = run_exercise(f"tensors/{stem}", str(LESSON / "solutions" / f"{stem}.py"), checker)
    assert solution.passed, solution.summary


def test_lesson_samples_run_and_show_their_output(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = LESSON / "lesson.md"
    namespace: dict = {"__name__": "__lesson__"}
    for block in code_blocks(path.read_text(encoding="utf-8")):
        if block.lang != "python":
            continue
        where = f"{path}:{block.line}"
        out = io.StringIO()
        expected = block.options.get("raises")
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, where, "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - compared by name below
            assert expected and expected in {c.__name__ for c in type(exc).__mro__}, f"{where}: {exc!r}"
        else:
            assert not expected, f"{where}: expected {expected}"
        if block.output is not None:
            got = "\n".join(l.rstrip() for l in out.getvalue().strip("\n").splitlines())
            want = "\n".join(l.rstrip() for l in block.output.code.strip("\n").splitlines())
            assert got == want, f"{where}: output differs"

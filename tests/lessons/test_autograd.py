"""autograd: realistic wrong answers get a verdict that names the mistake.

Each case starts from the reference solution (or the untouched starter), makes one
slip a learner would make, runs it through the harness with the real checker, and
checks the failure tag, the misconception (where there is one) and words in the
summary and details. The three mistakes this module's checkers must recognise are all
here: gradients that pile up without zero_grad (with their numbers), an update outside
torch.no_grad() (refused in place, or a parameter turned into a non-leaf), and
backward() on a tensor with more than one number. The checkers must give the same
verdicts when torchtutor.diagnose is not available.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

import pytest

from torchtutor.checks.harness import run_exercise
from torchtutor.curriculum.markdown import code_blocks

LESSON = Path(__file__).resolve().parents[2] / "src" / "torchtutor" / "course" / "pytorch-core" / "autograd"
STEMS = ["polynomial_gradients", "reproduce_network", "accumulation_trap", "manual_training_step",
         "inplace_repair", "detach_blocking"]


def slip(stem: str, *edits: tuple[str, str], start: str = "solutions") -> str:
    source = (LESSON / start / f"{stem}.py").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in source, f"{stem}: the {start[:-1]} no longer contains {old!r}"
        source = source.replace(old, new)
    return source


def run(stem: str, source: str, tmp_path: Path):
    path = tmp_path / f"{stem}.py"
    path.write_text(source, encoding="utf-8")
    return run_exercise(f"autograd/{stem.replace('_', '-')}", str(path), str(LESSON / "checkers" / f"{stem}.py"))


NO_GRAD_UPDATE = """    with torch.no_grad():                  # 3. update with Record paused, in place,
        w -= lr * w.grad                   #    so the caller's tensors move and stay leaves
        b -= lr * b.grad
"""
CLEAR = """    w.grad.zero_()                         # 4. clear the tape for the next step
    b.grad.zero_()
"""

# (stem, edits, failure tag, misconception or None, words that must appear in the summary or details)
CASES = [
    # polynomial-gradients
    ("polynomial_gradients", [("x = torch.tensor(float(x_value), requires_grad=True)",
                               "x = torch.tensor(x_value, requires_grad=True)")],
     "int-cannot-record", "requires-grad-changes-tensor", ["floating-point", "float(x_value)"]),
    ("polynomial_gradients", [("x = torch.tensor(float(x_value), requires_grad=True)",
                               "x = torch.tensor(float(x_value))")],
     "not-recording", None, ["requires_grad=True"]),
    ("polynomial_gradients", [("return x.grad.item()", "return p.grad")],
     "grad-on-result", "backward-returns-gradients", ["p.grad", "x.grad"]),
    ("polynomial_gradients", [("    p.backward()\n    return x.grad.item()", "    return p.backward()")],
     "grad-on-result", "backward-returns-gradients", ["returns nothing"]),
    ("polynomial_gradients", [("b = torch.tensor(float(b_value), requires_grad=True)",
                               "b = torch.tensor(float(b_value))"), ("b.grad.item()", "b.grad")],
     "pair-not-recording", None, ["dq/db", "requires_grad=True"]),
    ("polynomial_gradients", [("return a.grad.item(), b.grad.item()", "return b.grad.item(), a.grad.item()")],
     "swapped", None, ["swapped"]),
    # reproduce-network
    ("reproduce_network", [("h = torch.relu(z1)", "h = z1")], "relu-missing", None, ["ReLU", "z1 = -0.4"]),
    ("reproduce_network", [("h = torch.relu(z1)", "h = max(0.0, z1)")], "python-max", None,
     ["max(0.0, z1)", "torch.relu"]),
    ("reproduce_network", [("loss = (y_hat - y) ** 2", "loss = y_hat - y")], "loss-not-squared", None,
     ["(y_hat - y) ** 2"]),
    ("reproduce_network", [("b2 = torch.tensor(float(b2), requires_grad=True)", "b2 = torch.tensor(float(b2))")],
     "not-recording", None, ["b2.grad is None", "b2 does not record"]),
    ("reproduce_network", [('return {"w1": w1.grad.item(), "b1": b1.grad.item(), "w2": w2.grad.item(), "b2": b2.grad.item()}',
                            'return {"w1": w2.grad.item(), "b1": b2.grad.item(), "w2": w1.grad.item(), "b2": b1.grad.item()}')],
     "wrong-names", None, ["wrong names"]),
    # accumulation-trap
    ("accumulation_trap", [("        w.grad = None                  # clear the tape: backward() adds into .grad\n", ""),
                           ("        grads.append(w.grad.item())", "        w.grad.zero_()\n        grads.append(w.grad.item())")],
     "zeroed-too-early", None, ["all zeros", "clear, compute (backward), read"]),
    ("accumulation_trap", [("w.grad = None                  # clear", "w.grad.zero_()   # clear")],
     "zero-none-grad", None, ["w.grad is None", "zero_()"]),
    ("accumulation_trap", [("w.grad = None                  # clear", "w.zero_grad()   # clear")],
     "tensor-zero-grad", None, ["zero_grad()", "models and optimizers"]),
    ("accumulation_trap", [("grads.append(w.grad.item())", "grads.append(w.grad)"),
                           ("        w.grad = None                  # clear the tape: backward() adds into .grad\n", ""),
                           ("    return grads", "        w.grad.zero_()\n    return grads")],
     "grad-aliased", None, ["same tensor", ".item()"]),
    # manual-training-step
    ("manual_training_step", [(NO_GRAD_UPDATE, "    w -= lr * w.grad\n    b -= lr * b.grad\n")],
     "update-outside-no-grad", "no-grad-is-only-speed", ["in-place", "torch.no_grad()"]),
    ("manual_training_step", [(NO_GRAD_UPDATE, "    w = w - lr * w.grad\n    b = b - lr * b.grad\n"), (CLEAR, "")],
     "update-outside-no-grad", "no-grad-is-only-speed", ["grad_fn=<SubBackward0>", "is_leaf=False", "non-leaf"]),
    ("manual_training_step", [(NO_GRAD_UPDATE, "    with torch.no_grad():\n        w = w - lr * w.grad\n"
                                               "        b = b - lr * b.grad\n"), (CLEAR, "")],
     "rebound-parameter", None, ["local name", "in place"]),
    ("manual_training_step", [(CLEAR, "")], "missing-zero-grad", "gradients-overwrite",
     ["never cleared", "-3.292 + -2.608 = -5.9", "sum of n"]),
    ("manual_training_step", [("loss = ((y_hat - y) ** 2).mean()", "loss = (y_hat - y) ** 2")],
     "non-scalar-backward", "backward-on-any-tensor", ["6 numbers", ".mean()"]),
    ("manual_training_step", [("loss = ((y_hat - y) ** 2).mean()", "loss = ((y_hat - y) ** 2).sum()")],
     "sum-not-mean", None, ["6 times"]),
    ("manual_training_step", [("return loss.item()", "return loss")], "loss-kept-graph", None, ["loss.item()"]),
    ("manual_training_step", [(NO_GRAD_UPDATE, ""), (CLEAR, "")], "missing-update", "backward-updates-weights",
     ["not moved"]),
    ("manual_training_step", [("    loss.backward()                        # 2. Rewind: fills w.grad and b.grad\n", ""),
                              ("    return loss.item()", "    loss.backward()\n    return loss.item()")],
     "missing-backward", "backward-updates-weights", ["None", "after loss.backward()"]),
    # inplace-repair
    ("inplace_repair", [("    positive = z.clamp(min=0.0)", "    z.clamp_(min=0.0)\n    positive = z")],
     "inplace-on-leaf", "inplace-is-free", ["in-place", "z.clamp(min=0.0)"]),
    ("inplace_repair", [("    positive = z.clamp(min=0.0)",
                         "    with torch.no_grad():\n        z.clamp_(min=0.0)\n    positive = z")],
     "input-modified", "inplace-is-free", ["changed the tensor it was given"]),
    ("inplace_repair", [("return s * scale ", "return (s * scale).detach() ")],
     "detached-result", None, ["does not record"]),
    # detach-blocking
    ("detach_blocking", [("(p.grad.item() if p.grad is not None else None)", "(p.grad.item() if p.grad is not None else 0.0)")],
     "zero-instead-of-none", "snipped-gradient-is-zero", ["0.0", "no path"]),
    ("detach_blocking", [('params["w2"] * h.detach()', 'params["w2"] * h')], "wrong-snip", None,
     ["nothing was snipped", "h.detach()"]),
    ("detach_blocking", [("torch.stack(losses).detach().cpu().numpy()", "torch.stack(losses).numpy()")],
     "numpy-requires-grad", None, [".detach()"]),
    ("detach_blocking", [("torch.stack(losses).detach().cpu().numpy()", "torch.stack(losses).detach().numpy()")],
     "device-mismatch", "devices-mix-automatically", [".cpu()"]),
    ("detach_blocking", [("before = w.detach().clone()", "before = w.detach()")], "detach-shares-memory",
     "detach-copies", ["NEW values", "shares w's memory"]),
    ("detach_blocking", [("before = w.detach().clone()", "before = w.clone()")], "snapshot-records", None,
     ["CloneBackward0", "w.detach().clone()"]),
    ("detach_blocking", [("    with torch.no_grad():\n        w -= lr * w.grad", "    w -= lr * w.grad")],
     "update-outside-no-grad", "no-grad-is-only-speed", ["torch.no_grad()"]),
]


def _check_case(case, tmp_path):
    stem, edits, failure, misconception, words = case
    verdict = run(stem, slip(stem, *edits), tmp_path)
    text = verdict.summary + "\n" + "\n".join(verdict.details)
    assert not verdict.passed, f"{stem}: the slip passed: {edits}"
    assert verdict.failure == failure, (verdict.failure, text)
    if misconception:
        assert misconception in verdict.misconceptions, (verdict.misconceptions, text)
    for word in words:
        assert word in text, f"{word!r} not in: {text}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_slip_gets_a_verdict_that_names_it(case, tmp_path) -> None:
    _check_case(case, tmp_path)


def test_the_accumulation_starter_reports_running_sums_with_their_numbers(tmp_path) -> None:
    verdict = run("accumulation_trap", slip("accumulation_trap", start="exercises"), tmp_path)
    assert not verdict.passed and verdict.failure == "missing-zero-grad"
    assert "[-1.0, 3.0, 6.0]" in verdict.summary
    text = "\n".join(verdict.details)
    assert "[-1.0, 4.0, 3.0]" in text and "3 = -1 + 4" in text and "6 = -1 + 4 + 3" in text
    assert {"gradients-overwrite", "zero-grad-is-boilerplate"} <= set(verdict.misconceptions)


def test_identical_examples_show_accumulation_as_multiples() -> None:
    checker = _load_checker("accumulation_trap")
    with pytest.raises(Exception) as info:
        checker._explain_running_sums([8.0, 16.0, 24.0], [8.0, 8.0, 8.0], "three identical examples")
    details = "\n".join(info.value.details)
    assert "16 = 2x 8" in details and "24 = 3x 8" in details
    assert info.value.failure == "missing-zero-grad"


def test_inplace_starter_explains_the_saved_sigmoid_output(tmp_path) -> None:
    verdict = run("inplace_repair", slip("inplace_repair", start="exercises"), tmp_path)
    assert verdict.failure == "inplace-autograd-conflict"
    text = "\n".join(verdict.details)
    assert "s * (1 - s)" in text and "version 1" in text and "s * scale" in text


def test_valid_alternatives_pass(tmp_path) -> None:
    # Clearing with w.grad = None at the start of the step, and a frozen layer made with no_grad.
    step = slip("manual_training_step", (CLEAR, ""),
                ("    y_hat = w * x + b ", "    w.grad = None\n    b.grad = None\n    y_hat = w * x + b "))
    assert run("manual_training_step", step, tmp_path).passed
    frozen = slip("detach_blocking", ('    h = torch.relu(params["w1"] * x + params["b1"])',
                                      '    with torch.no_grad():\n        h = torch.relu(params["w1"] * x + params["b1"])'),
                  ('params["w2"] * h.detach()', 'params["w2"] * h'))
    verdict = run("detach_blocking", frozen, tmp_path)
    assert verdict.passed and any("no_grad" in note for note in verdict.details)
    history = slip("detach_blocking", ("torch.stack(losses).detach().cpu().numpy()",
                                       "np.array([loss.item() for loss in losses])"))
    assert run("detach_blocking", history, tmp_path).passed


def _load_checker(stem):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"autograd_checker_{stem}", LESSON / "checkers" / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checkers_work_without_the_diagnose_layer(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torchtutor.diagnose", None)      # `from torchtutor.diagnose import ...` fails
    for case in CASES:
        if case[2] in {"update-outside-no-grad", "non-scalar-backward", "missing-zero-grad",
                       "inplace-on-leaf", "not-recording"}:
            _check_case(case, tmp_path)
    verdict = run("inplace_repair", slip("inplace_repair", start="exercises"), tmp_path)
    assert verdict.failure == "inplace-autograd-conflict"


@pytest.mark.parametrize("stem", STEMS)
def test_starter_fails_and_solution_passes_quickly(stem, tmp_path) -> None:
    started = time.perf_counter()
    starter = run(stem, (LESSON / "exercises" / f"{stem}.py").read_text(encoding="utf-8"), tmp_path)
    solution = run(stem, (LESSON / "solutions" / f"{stem}.py").read_text(encoding="utf-8"), tmp_path)
    assert not starter.passed and starter.summary and starter.failure
    assert solution.passed, (solution.summary, solution.details)
    assert time.perf_counter() - started < 2.0


def test_lesson_samples_run_and_show_their_real_output(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = LESSON / "lesson.md"
    namespace: dict = {"__name__": "__lesson__"}
    started = time.perf_counter()
    for block in [b for b in code_blocks(path.read_text(encoding="utf-8")) if b.lang == "python"]:
        out = io.StringIO()
        expected_error = block.options.get("raises")
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, f"{path}:{block.line}", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001
            assert expected_error and expected_error in {c.__name__ for c in type(exc).__mro__}, (block.line, exc)
        else:
            assert not expected_error, f"line {block.line}: expected {expected_error}"
        if block.output is not None:
            want = "\n".join(l.rstrip() for l in block.output.code.strip("\n").splitlines())
            got = "\n".join(l.rstrip() for l in out.getvalue().strip("\n").splitlines())
            assert got == want, f"line {block.line}"
    assert time.perf_counter() - started < 10
    # The payoff: autograd's four gradients on the shared network are the hand chain rule's.
    hand = namespace["hand"]
    assert [round(hand[n], 3) for n in ("w1", "b1", "w2", "b2")] == [1.356, 0.678, -2.486, -2.26]

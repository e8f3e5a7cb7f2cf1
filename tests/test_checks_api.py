"""The checks API: known wrong exceptions, the call helper and its translation order, the
learner's line, locals kept from a call, and the declarative EXPECT list."""

from __future__ import annotations

import textwrap
from pathlib import Path

from torchtutor.checks.harness import run_exercise


def verdict(tmp_path: Path, learner: str, checker: str):
    (tmp_path / "exercise.py").write_text(textwrap.dedent(learner))
    (tmp_path / "checker.py").write_text(textwrap.dedent(checker))
    return run_exercise("t/x", str(tmp_path / "exercise.py"), str(tmp_path / "checker.py"))


GATE_CHECKER = '''
import torch
from torchtutor.checks import WrongError

INPLACE = WrongError(RuntimeError, r"leaf Variable that requires grad .* in-place",
                     "{doing} changed its input in place while it records.",
                     failure="inplace-on-leaf", misconceptions=["inplace-is-free"],
                     details=["PyTorch said: {error}"])

def check(ex):
    z = torch.tensor([1.0, -2.0], requires_grad=True)
    out = ex.call("gate", z, errors=[INPLACE], doing="Calling `gate(z)`")
    return f"gate returned {out.tolist()}"
'''


def test_a_declared_wrong_error_names_the_mistake_and_quotes_the_learners_line(tmp_path):
    v = verdict(tmp_path, """
        import torch

        def gate(z):
            z.clamp_(min=0.0)
            return z
    """, GATE_CHECKER)
    assert not v.passed
    assert v.summary == "Calling `gate(z)` changed its input in place while it records."
    assert v.failure == "inplace-on-leaf" and v.misconceptions == ["inplace-is-free"]
    assert v.details[0] == "line 5: z.clamp_(min=0.0)"
    assert v.details[1].startswith("PyTorch said: a leaf Variable that requires grad")


def test_a_wrong_error_with_another_message_does_not_match(tmp_path):
    v = verdict(tmp_path, """
        import torch

        def gate(z):
            return z.reshape(3)
    """, GATE_CHECKER)
    assert not v.passed and v.failure == "RuntimeError"
    assert v.summary.startswith("Calling `gate(z)` raised RuntimeError on line 5: shape '[3]' is invalid")
    assert v.details == ["line 5: return z.reshape(3)"]


def test_an_undeclared_exception_the_catalogue_knows_gets_its_id(tmp_path):
    v = verdict(tmp_path, """
        import torch

        def gate(z):
            (z * 2).backward()
            return z
    """, GATE_CHECKER)
    assert not v.passed and v.failure == "non-scalar-backward"
    assert v.misconceptions == ["non-scalar-backward"]
    assert v.summary == ("Calling `gate(z)` raised RuntimeError on line 5: "
                         "backward() called on a tensor with more than one element.")
    assert v.details[:2] == ["line 5: (z * 2).backward()",
                             "PyTorch said: grad can be implicitly created only for scalar outputs"]
    assert "single number" in v.details[2]


def test_a_passing_call_returns_the_learners_value(tmp_path):
    v = verdict(tmp_path, """
        import torch

        def gate(z):
            return z.clamp(min=0.0)
    """, GATE_CHECKER)
    assert v.passed and v.summary == "gate returned [1.0, 0.0]"


def test_line_finds_the_learner_line_of_the_running_code(tmp_path):
    v = verdict(tmp_path, """
        def visit(callback):
            value = callback()
            return value
    """, '''
        def check(ex):
            seen = []
            ex.call("visit", lambda: seen.append(ex.line()) or 1)
            return f"{seen[0].lineno}|{seen[0].text}"
    ''')
    assert v.passed and v.summary == "3|value = callback()"


def test_call_keeping_locals_shows_a_rebound_local(tmp_path):
    v = verdict(tmp_path, """
        import torch

        def step(w, lr):
            w = w - lr * 2.0
            return None
    """, '''
        import torch
        from torchtutor.checks import fail

        def check(ex):
            w = torch.tensor(1.0, requires_grad=True)
            result, local = ex.call_keeping_locals("step", w, 0.1)
            if local["w"] is not w and w.item() == 1.0:
                fail(f"step rebound w: inside it w is {local['w'].item():.2f}", failure="rebound-parameter")
    ''')
    assert not v.passed and v.failure == "rebound-parameter" and v.summary == "step rebound w: inside it w is 0.80"


def test_a_declared_base_exception_is_caught_but_others_pass_through(tmp_path):
    v = verdict(tmp_path, """
        def loop(tick):
            while True:
                tick()
    """, '''
        from torchtutor.checks import WrongError

        class Budget(BaseException):
            pass

        def check(ex):
            count = [0]
            def tick():
                count[0] += 1
                if count[0] > 5:
                    raise Budget()
            ex.call("loop", tick, errors=[WrongError(Budget, "", "loop never stops.", failure="too-many-steps")])
    ''')
    assert not v.passed and v.failure == "too-many-steps" and v.details == ["line 4: tick()"]


EXPECT_CHECKER = '''
import torch
from torchtutor.checks import Expect, Wrong

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 9.0]])

EXPECT = [
    Expect("zeros", torch.zeros(2, 3), wrong=[
        Wrong("`zeros` is flat: a 2 x 3 grid takes two sizes.", when=lambda t: tuple(t.shape) == (6,),
              failure="wrong-shape")]),
    Expect("size", 6),
    Expect("dims", (2, 3)),
    Expect("center", X - X.mean(dim=1, keepdim=True), args=(X,), label="center(X)", wrong=[
        Wrong("center used the column means (dim=0).", value=X - X.mean(dim=0, keepdim=True), failure="wrong-dim")]),
    Expect("center", X - X.mean(dim=1, keepdim=True), args=(X,), label="center(X), a second time"),
]
PASSED = "All four names hold what they should."
'''

GOOD = """
    import torch

    zeros = torch.zeros(2, 3)
    size = 6
    dims = [2, 3]

    def center(X):
        X -= X.mean(dim=1, keepdim=True)    # in place: the checker's X must survive it
        return X
"""


def test_expect_list_alone_is_a_checker(tmp_path):
    v = verdict(tmp_path, GOOD, EXPECT_CHECKER)
    assert v.passed and v.summary == "All four names hold what they should."


def test_expect_reports_a_known_wrong_value(tmp_path):
    v = verdict(tmp_path, GOOD.replace("torch.zeros(2, 3)", "torch.zeros(6)"), EXPECT_CHECKER)
    assert not v.passed and v.failure == "wrong-shape" and v.summary.startswith("`zeros` is flat")


def test_expect_compares_numbers_and_sequences_by_value(tmp_path):
    v = verdict(tmp_path, GOOD.replace("size = 6", "size = 7"), EXPECT_CHECKER)
    assert not v.passed and v.failure == "wrong-value" and v.summary == "`size` is int 7, but it should be int 6."
    v = verdict(tmp_path, GOOD.replace("size = 6", "size = True"), EXPECT_CHECKER)
    assert not v.passed and v.failure == "wrong-value"


def test_expect_calls_a_function_and_judges_what_it_returns(tmp_path):
    v = verdict(tmp_path, GOOD.replace("dim=1, keepdim", "dim=0, keepdim"), EXPECT_CHECKER)
    assert not v.passed and v.failure == "wrong-dim" and v.summary == "center used the column means (dim=0)."
    v = verdict(tmp_path, GOOD.replace("return X", "return None"), EXPECT_CHECKER)
    assert not v.passed and v.failure == "placeholder" and "`center(X)` returned None" in v.summary


def test_expect_runs_before_check(tmp_path):
    v = verdict(tmp_path, "size = 5\n", '''
        from torchtutor.checks import Expect, fail

        EXPECT = [Expect("size", 6)]

        def check(ex):
            fail("check() should not run when EXPECT fails", failure="never")
    ''')
    assert not v.passed and v.failure == "wrong-value"


DOC = Path(__file__).resolve().parents[1] / "docs" / "checks-api.md"

DOC_SOLUTION = """
    import torch

    grid = torch.zeros(2, 3)

    def center(X):
        return X - X.mean(dim=1, keepdim=True)
"""


def doc_checker() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("```python\n", text.index("## A complete small checker")) + len("```python\n")
    return text[start:text.index("```", start)]


def doc_known_errors() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("```toml\n", text.index("## A complete small checker")) + len("```toml\n")
    return text[start:text.index("```", start)]


def test_the_guides_example_checker_passes_a_solution_and_names_each_slip(tmp_path):
    (tmp_path / "checkers").mkdir()
    (tmp_path / "lesson.toml").write_text('[[exercises]]\nid = "center-demo"\n\n' + doc_known_errors())
    (tmp_path / "checkers" / "center_demo.py").write_text(doc_checker())

    def judge(learner: str):
        (tmp_path / "exercise.py").write_text(textwrap.dedent(learner))
        return run_exercise("t/center-demo", str(tmp_path / "exercise.py"), str(tmp_path / "checkers/center_demo.py"))

    v = judge(DOC_SOLUTION)
    assert v.passed and v.summary.startswith("Every row is centred")
    v = judge(DOC_SOLUTION.replace("keepdim=True", "keepdim=False"))
    assert not v.passed and v.failure == "missing-keepdim" and v.misconceptions == ["reduction-keeps-dims"]
    assert v.summary.startswith("Calling `center(X)` raised a broadcasting error")
    assert v.details[0] == "line 7: return X - X.mean(dim=1, keepdim=False)"
    assert v.details[1].startswith("PyTorch said: The size of tensor a (4) must match")
    v = judge(DOC_SOLUTION.replace("dim=1", "dim=0"))
    assert not v.passed and v.failure == "wrong-dim"
    v = judge(DOC_SOLUTION.replace("torch.zeros(2, 3)", "torch.zeros(6)"))
    assert not v.passed and v.failure == "wrong-shape"
    alternative = DOC_SOLUTION.replace("return X - X.mean(dim=1, keepdim=True)",
                                       "return X - X.sum(1).unsqueeze(1) / X.shape[1]")
    assert judge(alternative).passed


KNOWN_LESSON = '''
[[exercises]]
id = "gate-demo"

[[exercises.known_errors]]
id = "inplace-on-leaf"
exception = ["RuntimeError", "ValueError"]
pattern = 'leaf Variable that requires grad .* in-place'
message = "{doing} changed its input in place while it records."
details = ["PyTorch said: {error}"]
failure = "inplace-on-leaf"
misconceptions = ["inplace-is-free"]

[[exercises.known_errors]]
id = "scalar-backward"
catalogue = "non-scalar-backward"
message = "{doing} called backward() on {n} number ({error})."
failure = "one-loss-per-sample"
'''


def known_verdict(tmp_path: Path, learner: str, checker: str):
    """A lesson folder: lesson.toml declares the known errors, checkers/gate_demo.py asks for them with known()."""
    (tmp_path / "checkers").mkdir()
    (tmp_path / "lesson.toml").write_text(KNOWN_LESSON)
    (tmp_path / "exercise.py").write_text(textwrap.dedent(learner))
    (tmp_path / "checkers" / "gate_demo.py").write_text(textwrap.dedent(checker))
    return run_exercise("t/gate-demo", str(tmp_path / "exercise.py"), str(tmp_path / "checkers" / "gate_demo.py"))


def test_known_errors_declared_in_lesson_toml_name_the_mistake(tmp_path):
    checker = '''
        import torch
        from torchtutor.checks import WrongError, known

        NOT_MATCHED = WrongError(ValueError, "never", "A Python declaration after the data's.", failure="unused")

        def check(ex):
            z = torch.tensor([1.0, -2.0], requires_grad=True)
            ex.call("gate", z, errors=[known(), NOT_MATCHED], doing="Calling `gate(z)`")
    '''
    v = known_verdict(tmp_path, """
        def gate(z):
            z.clamp_(min=0.0)
            return z
    """, checker)
    assert v.summary == "Calling `gate(z)` changed its input in place while it records."
    assert v.failure == "inplace-on-leaf" and v.misconceptions == ["inplace-is-free"]
    assert v.details[0] == "line 3: z.clamp_(min=0.0)"
    assert v.details[1].startswith("PyTorch said: a leaf Variable that requires grad")
    (tmp_path / "b").mkdir()
    v = known_verdict(tmp_path / "b", """
        def gate(z):
            (z * 2).backward()
    """, checker.replace("[known(), NOT_MATCHED]", 'known("scalar-backward", n="more than one")'))
    assert v.summary == ("Calling `gate(z)` called backward() on more than one number "
                         "(grad can be implicitly created only for scalar outputs).")
    assert v.failure == "one-loss-per-sample" and v.misconceptions == ["non-scalar-backward"]


def test_a_known_error_the_lesson_does_not_declare_is_the_courses_fault(tmp_path):
    v = known_verdict(tmp_path, "def gate(z):\n    return z\n", '''
        from torchtutor.checks import known

        def check(ex):
            ex.call("gate", 1, errors=[known("no-such-error")])
    ''')
    assert not v.passed and v.failure == "checker-broken"
    assert "no known error 'no-such-error'" in v.summary and "not in your code" in v.details[0]


def test_known_in_an_expect_list_is_resolved_when_the_item_is_judged(tmp_path):
    v = known_verdict(tmp_path, """
        def gate(z):
            z.clamp_(min=0.0)
            return z
    """, '''
        import torch
        from torchtutor.checks import Expect, known

        EXPECT = [Expect("gate", torch.zeros(2), args=(torch.tensor([-1.0, -2.0], requires_grad=True),),
                         label="gate(z)", errors=[known("inplace-on-leaf")])]
    ''')
    assert v.summary == "Calling `gate(z)` changed its input in place while it records."
    assert v.failure == "inplace-on-leaf"

"""Tests for the quiz service (torchtutor.workspace.quiz) and `torchtutor quiz`.

Unit tests build their own Check objects; the CLI tests use a small course written to a
temporary folder (through the hidden ``--root`` option), plus the real course's
autograd check when that lesson exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from torchtutor.cli import UsageError, app
from torchtutor.curriculum import Check, Lesson
from torchtutor.progress import ProgressStore
from torchtutor.workspace.quiz import (
    AnswerFormatError,
    Quiz,
    QuizError,
    compare,
    format_value,
    normalise_text,
    open_quiz,
    parse_bool,
    parse_choice,
    parse_mark,
    parse_number,
    parse_shape,
    public_check,
)

SRC = Path(__file__).resolve().parents[1] / "src"

CHAIN_RULE = """
import torch
x = torch.tensor(2.0, requires_grad=True)
z = (3 * x + 1) ** 2
z.backward()
answer = x.grad.item()
"""


# --------------------------------------------------------------------------- answer reading
@pytest.mark.parametrize("text, value", [
    ("42", 42.0), ("42.0", 42.0), (" 4.8 ", 4.8), ("-0.5", -0.5), ("1e-3", 0.001), ("42.", 42.0),
    ("1,000", 1000.0), ("1_000", 1000.0), ("3/4", 0.75), ("`42`", 42.0), ("'5050'", 5050.0),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["forty-two", "", "1/0", "nan", "inf", "4,8", "4 2x"])
def test_parse_number_rejects(text):
    with pytest.raises(AnswerFormatError):
        parse_number(text)


@pytest.mark.parametrize("text, shape", [
    ("[3, 1]", (3, 1)), ("(3, 1)", (3, 1)), ("3x1", (3, 1)), ("3 x 1", (3, 1)), ("3×1", (3, 1)),
    ("torch.Size([3, 1])", (3, 1)), ("3 by 1", (3, 1)), ("3,1", (3, 1)), ("(5,)", (5,)), ("[]", ()),
    ("torch.Size([])", ()), ("scalar", ()), ("[2, 3, 4]", (2, 3, 4)),
])
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["three by one", "[3, -1]", "[3.5, 1]"])
def test_parse_shape_rejects(text):
    with pytest.raises(AnswerFormatError):
        parse_shape(text)


def test_parse_bool_text_choice_mark():
    assert all(parse_bool(t) for t in ("yes", "Y", "True", "true.", "1", "t"))
    assert not any(parse_bool(t) for t in ("no", "N", "FALSE", "0", "f"))
    with pytest.raises(AnswerFormatError):
        parse_bool("maybe")
    assert normalise_text("  Torch.Float32 ") == normalise_text("torch.float32") == "torch.float32"
    assert normalise_text("'grad fn'.") == "gradfn"
    assert parse_choice("2", 4) == 1 and parse_choice("b", 4) == 1 and parse_choice("3.", 4) == 2
    for bad in ("0", "5", "e", "two"):
        with pytest.raises(AnswerFormatError):
            parse_choice(bad, 4)
    assert parse_mark("1") == parse_mark("Got it") == parse_mark("got-it") == "got it"
    assert parse_mark("2") == parse_mark("partly") == "partly"
    assert parse_mark("m") == parse_mark("missed") == "missed"
    with pytest.raises(AnswerFormatError):
        parse_mark("dunno")


def test_compare_rules():
    assert compare("number", "42", 42.0) and compare("number", "42.0", 42)
    assert compare("number", "4.8", 4.800000190734863)      # float32 noise is within tolerance
    assert not compare("number", "4.9", 4.8)
    assert compare("number", "0.5", 0.52, tolerance=0.05) and not compare("number", "0.5", 0.52)
    assert compare("shape", "3x1", (3, 1)) and not compare("shape", "[1, 3]", (3, 1))
    assert compare("text", "FLOAT32", "torch.float32") and compare("text", " Torch.Float32", "torch.float32")
    assert compare("text", "torch.float64", "float64") and not compare("text", "float64", "torch.float32")
    assert compare("bool", "yes", True) and compare("bool", "no", False) and not compare("bool", "yes", False)
    assert format_value("number", 42.0) == "42" and format_value("number", 4.800000190734863) == "4.8"
    assert format_value("shape", (3, 1)) == "[3, 1]" and format_value("bool", True).startswith("yes")


# --------------------------------------------------------------------------- the service
def _lesson(*checks: Check) -> Lesson:
    return Lesson(slug="tiny", number="9.9.1", title="Tiny", type="BUILD", summary="Tiny lesson.", checks=list(checks))


PREDICT = Check(id="predict-chain-rule", kind="predict", prompt="x.grad?", code=CHAIN_RULE, answer_kind="number",
                concepts=["backward"], explanation="dz/dx = 2(3x+1)*3 = 42.")
SHAPE = Check(id="predict-shape", kind="predict", prompt="shape?", answer_kind="shape",
              code="import torch\nanswer = torch.zeros(3, 1).shape", concepts=["shapes"])
PRINTS = Check(id="predict-prints", kind="predict", prompt="?", answer_kind="bool",
               code="print('noise')\nanswer = 2 > 1")
CHOICE = Check(id="mc", kind="choice", prompt="Which?", options=["right one", "wrong one", "also wrong"], answer=0,
               explanations=["Yes, because.", "No, because.", "No, also because."], concepts=["backward", "grad"])
TRANSFER = Check(id="transfer-colleague", kind="transfer", prompt="Your colleague...", model_answer="Call zero_grad().",
                 concepts=["zero_grad"])


@pytest.fixture
def store(tmp_path):
    with ProgressStore(tmp_path / "progress.sqlite3") as s:
        yield s


def test_predict_right_and_wrong_are_recorded(store):
    quiz = Quiz(None, _lesson(PREDICT), store)
    right = quiz.answer(PREDICT, "42")
    assert right.correct is True and right.expected == "42" and right.value == 42.0 and right.recorded
    assert "42" in right.explanation
    wrong = quiz.answer(PREDICT, "14")
    assert wrong.correct is False and wrong.expected == "42"
    answers = store.quiz_answers("tiny")
    assert [(a.check_id, a.answer, a.correct) for a in answers] == [("predict-chain-rule", "42", True),
                                                                    ("predict-chain-rule", "14", False)]
    evidence = store.concept_evidence()["backward"]
    assert [(e.source_kind, e.source_id, e.passed) for e in evidence] == [
        ("check", "tiny/predict-chain-rule", True), ("check", "tiny/predict-chain-rule", False)]


def test_predict_shape_bool_and_output(store):
    quiz = Quiz(None, _lesson(SHAPE, PRINTS), store)
    result = quiz.answer(SHAPE, "torch.Size([3, 1])")
    assert result.correct and result.value == [3, 1] and result.expected == "[3, 1]"
    result = quiz.answer(PRINTS, "yes")
    assert result.correct and result.output.strip() == "noise"


def test_unreadable_prediction_records_nothing_and_runs_nothing(store):
    broken = Check(id="boom", kind="predict", prompt="?", answer_kind="number", code="raise SystemExit(3)")
    quiz = Quiz(None, _lesson(broken), store)
    with pytest.raises(AnswerFormatError, match="not a number"):
        quiz.answer(broken, "forty two")
    assert store.quiz_answers() == []
    with pytest.raises(QuizError, match="bug in the course"):  # a readable answer runs the (broken) code
        quiz.answer(broken, "42")
    no_answer = Check(id="silent", kind="predict", prompt="?", answer_kind="number", code="x = 1")
    with pytest.raises(QuizError, match="did not set `answer`"):
        Quiz(None, _lesson(no_answer), store).answer(no_answer, "1")


def test_choice(store):
    quiz = Quiz(None, _lesson(CHOICE), store)
    wrong = quiz.answer(CHOICE, "2")
    assert wrong.correct is False and wrong.chosen == 2 and wrong.right == 1
    assert wrong.chosen_explanation == "No, because." and wrong.right_explanation == "Yes, because."
    assert wrong.answer == "2. wrong one" and wrong.expected == "1. right one"
    right = quiz.answer(CHOICE, "a")
    assert right.correct is True
    assert [e.passed for e in store.concept_evidence()["grad"]] == [False, True]
    with pytest.raises(AnswerFormatError):
        quiz.answer(CHOICE, "7")


def test_transfer_self_marked(store):
    quiz = Quiz(None, _lesson(TRANSFER), store)
    unmarked = quiz.answer(TRANSFER, "Gradients pile up.")
    assert unmarked.recorded is False and unmarked.expected == "Call zero_grad()." and "--mark" in unmarked.note
    assert store.quiz_answers() == []
    got = quiz.answer(TRANSFER, "Gradients pile up; zero them.", mark="got-it")
    partly = quiz.answer(TRANSFER, "Something about gradients.", mark="2")
    assert got.correct is None and got.self_mark == "got it" and got.recorded
    rows = store.quiz_answers()
    assert [(r.correct, r.self_mark) for r in rows] == [(None, "got it"), (None, "partly")]
    assert [e.passed for e in store.concept_evidence()["zero_grad"]] == [True, False]
    with pytest.raises(AnswerFormatError):
        quiz.answer(TRANSFER, "   ", mark="1")


def test_no_store_records_nothing_and_says_so():
    quiz = Quiz(None, _lesson(PREDICT), None, note="No workspace here.")
    result = quiz.answer(PREDICT, "42")
    assert result.correct and not result.recorded and result.note == "No workspace here."
    assert not quiz.recording


def test_public_check_hides_answers():
    for check in (PREDICT, CHOICE, TRANSFER):
        data = json.dumps(public_check(check))
        for secret in ("answer = x.grad", "Yes, because", "zero_grad()", "42"):
            assert secret not in data
    assert public_check(CHOICE)["options"] == ["right one", "wrong one", "also wrong"]


def test_unknown_check_lists_the_ids():
    quiz = Quiz(None, _lesson(PREDICT, CHOICE), None)
    with pytest.raises(QuizError, match="Its checks are: predict-chain-rule, mc"):
        quiz.check("nope")
    assert quiz.check("tiny/mc") is CHOICE
    with pytest.raises(QuizError, match="belongs to lesson 'other'"):
        quiz.check("other/mc")


# --------------------------------------------------------------------------- a course on disk, and the CLI
def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def course_root(tmp_path) -> Path:
    root = tmp_path / "course"
    _write(root / "series.toml", 'number = "9"\ntitle = "Test"\ngoal = "Test."\nmodules = ["mod"]\n')
    _write(root / "mod" / "module.toml",
           'number = "9.1"\nslug = "mod"\ntitle = "Mod"\ngoal = "Test."\nlessons = ["first", "second"]\n')
    _write(root / "mod" / "first" / "lesson.toml", '''
        slug = "first"
        number = "9.1.1"
        title = "First"
        type = "BUILD"
        summary = "First lesson."

        [[exercises]]
        id = "ex"
        title = "An exercise"
        level = "guided"
        concepts = ["backward"]
        why = "Because."
        hints = [{ text = "Try." }]

        [[checks]]
        id = "predict-chain-rule"
        kind = "predict"
        prompt = "z = (3x + 1)**2 with x = 2. What is x.grad after z.backward()?"
        concepts = ["backward"]
        code = """
        import torch
        x = torch.tensor(2.0, requires_grad=True)
        z = (3 * x + 1) ** 2
        z.backward()
        answer = x.grad.item()
        """
        answer_kind = "number"
        explanation = "Chain rule: 2(3x+1) * 3 = 42."

        [[checks]]
        id = "transfer-colleague"
        kind = "transfer"
        prompt = "A colleague's loss grows every step. What do you tell them?"
        model_answer = "They forgot zero_grad()."
        concepts = ["zero_grad"]

        [[checks]]
        id = "mc-backward"
        kind = "choice"
        prompt = "What does backward() do?"
        options = ["Fills .grad", "Updates the weights"]
        answer = 0
        explanations = ["Right: it computes gradients.", "No: the optimizer updates."]
        concepts = ["backward"]
        ''')
    _write(root / "mod" / "second" / "lesson.toml", '''
        slug = "second"
        number = "9.1.2"
        title = "Second"
        type = "BUILD"
        summary = "Second lesson."

        [[checks]]
        id = "predict-size"
        kind = "predict"
        prompt = "Shape of torch.zeros(3, 1)?"
        code = "answer = (3, 1)"
        answer_kind = "shape"
        ''')
    for slug, checks in (("first", ("predict-chain-rule", "transfer-colleague", "mc-backward")),
                         ("second", ("predict-size",))):
        _write(root / "mod" / slug / "lesson.md",
               f"# {slug.title()}\n\n" + "".join(f"Text.\n\n```check\n{c}\n```\n\n" for c in checks))
    for folder in ("exercises", "checkers", "solutions"):
        _write(root / "mod" / "first" / folder / "ex.py", "def check(ex):\n    pass\n")
    return root


@pytest.fixture
def no_workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("TORCHTUTOR_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def workspace(tmp_path) -> Path:
    ws = tmp_path / "ws"
    (ws / ".torchtutor").mkdir(parents=True)
    return ws


def _invoke(args, input=None):
    return CliRunner().invoke(app, args, input=input, env={"COLUMNS": "120"})


def test_cli_answer_records_to_the_workspace(course_root, workspace, no_workspace):
    out = _invoke(["-w", str(workspace), "quiz", "first", "--check", "predict-chain-rule", "--answer", "42",
                   "--json", "--root", str(course_root)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["correct"] is True and data["recorded"] is True and data["expected"] == "42"
    out = _invoke(["-w", str(workspace), "quiz", "9.1.1", "--check", "mc-backward", "--answer", "2",
                   "--root", str(course_root)])
    assert out.exit_code == 0 and "You chose" in out.output and "optimizer updates" in out.output
    with ProgressStore(workspace / ".torchtutor" / "progress.sqlite3") as s:
        assert [(a.check_id, a.correct) for a in s.quiz_answers("first")] == [("predict-chain-rule", True),
                                                                                ("mc-backward", False)]
        assert [e.passed for e in s.concept_evidence()["backward"]] == [True, False]


def test_cli_transfer_needs_a_mark_to_record(course_root, workspace, no_workspace):
    base = ["-w", str(workspace), "quiz", "first", "--check", "transfer-colleague", "--answer", "zero_grad",
            "--root", str(course_root), "--json"]
    first = json.loads(_invoke(base).output)
    assert first["recorded"] is False and first["expected"] == "They forgot zero_grad()."
    second = json.loads(_invoke(base + ["--mark", "got-it"]).output)
    assert second["recorded"] is True and second["self_mark"] == "got it" and second["correct"] is None


def test_cli_json_lists_checks_without_answers(course_root, no_workspace):
    out = _invoke(["quiz", "--json", "--root", str(course_root)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["lesson"] == "first" and data["recording"] is False and "not recorded" in data["note"]
    assert [c["id"] for c in data["checks"]] == ["predict-chain-rule", "transfer-colleague", "mc-backward"]
    assert "x.grad.item()" not in out.output and "forgot" not in out.output and "optimizer updates" not in out.output


def test_cli_default_lesson_is_the_workspace_next(course_root, workspace, no_workspace):
    with ProgressStore(workspace / ".torchtutor" / "progress.sqlite3") as s:
        s.record_attempt("first/ex", True, {"passed": True}, "hash")
    out = _invoke(["-w", str(workspace), "quiz", "--json", "--root", str(course_root)])
    data = json.loads(out.output)
    assert data["lesson"] == "second" and data["recording"] is True


def test_cli_without_workspace_answers_but_does_not_record(course_root, no_workspace):
    out = _invoke(["quiz", "--check", "predict-chain-rule", "--answer", "42", "--root", str(course_root)])
    assert out.exit_code == 0, out.output
    assert "Right" in out.output and "not recorded" in out.output


@pytest.mark.parametrize("args, message", [
    (["quiz", "first", "--answer", "42"], "--answer needs --check"),
    (["quiz", "first", "--check", "nope", "--answer", "42"], "has no check 'nope'"),
    (["quiz", "nowhere"], "There is no lesson 'nowhere'"),
    (["quiz", "first", "--check", "predict-chain-rule", "--answer", "lots"], "not a number"),
    (["quiz", "first", "--mark", "1"], "--mark goes with --answer"),
])
def test_cli_usage_errors(course_root, no_workspace, args, message):
    out = _invoke(args + ["--root", str(course_root)])
    assert isinstance(out.exception, UsageError), out.output
    assert message in str(out.exception)


def test_cli_piped_answers(course_root, workspace, no_workspace):
    answers = "\n".join(["forty", "42", "It is zero_grad.", "", "got it", "1"]) + "\n"
    out = _invoke(["-w", str(workspace), "quiz", "first", "--root", str(course_root)], input=answers)
    assert out.exit_code == 0, out.output
    assert "not a number I can read" in out.output          # asked again, not marked wrong
    assert "Right" in out.output and "They forgot zero_grad()." in out.output
    assert "2 of 2 right; 1 self-marked (1 got it). Saved to your progress." in out.output
    with ProgressStore(workspace / ".torchtutor" / "progress.sqlite3") as s:
        assert [(a.check_id, a.correct, a.self_mark) for a in s.quiz_answers()] == [
            ("predict-chain-rule", True, None), ("transfer-colleague", None, "got it"), ("mc-backward", True, None)]


def test_cli_input_ending_midway_keeps_answers(course_root, workspace, no_workspace):
    out = _invoke(["-w", str(workspace), "quiz", "first", "--root", str(course_root)], input="42\n")
    assert out.exit_code == 0, out.output
    assert "Input ended." in out.output and "1 of 1 right" in out.output


def test_cli_empty_stdin_is_one_paragraph(course_root, no_workspace):
    out = _invoke(["quiz", "--root", str(course_root)], input="")
    assert isinstance(out.exception, UsageError) and "standard input is not a terminal" in str(out.exception)
    assert out.output == ""                                  # nothing shown before the error


def test_cli_eof_subprocess_exit_2(course_root, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TORCHTUTOR_WORKSPACE"}
    env["PYTHONPATH"] = str(SRC)
    proc = subprocess.run([sys.executable, "-m", "torchtutor.cli", "quiz", "--root", str(course_root)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "standard input is not a terminal" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


# --------------------------------------------------------------------------- the real course
def _real_course():
    """The packaged course as far as it loads (lessons still being written are left out)."""
    from torchtutor.curriculum import load

    course, problems = load()
    return course, not problems


def _real_predict_checks():
    course, _ = _real_course()
    if course is None:
        return []
    return [(lesson, check) for lesson in course.lessons for check in lesson.checks if check.kind == "predict"]


def test_real_predict_checks_accept_their_own_answer(store):
    """Every predict check in the course runs, and typing back the value it shows is judged right."""
    pairs = _real_predict_checks()
    if not pairs:
        pytest.skip("no lesson with predict checks loads yet")
    for lesson, check in pairs:
        quiz = Quiz(None, lesson, store)
        probe = quiz.answer(check, {"number": "0", "shape": "[]", "bool": "yes", "text": "x"}[check.answer_kind])
        typed_back = quiz.answer(check, probe.expected.split(" (")[0])
        assert typed_back.correct, f"{lesson.slug}/{check.id}: {probe.expected!r} was not accepted"


def test_real_autograd_check(workspace, no_workspace, store):
    """The seeds' first autograd check: x.grad for z = (3x+1)**2 at x = 2 is 42."""
    found = [(l, c) for l, c in _real_predict_checks() if "(3*x+1)**2" in (c.code or "").replace(" ", "")]
    if not found:
        pytest.skip("the autograd lesson with the z = (3x+1)**2 check is not written yet")
    lesson, check = found[0]
    assert Quiz(None, lesson, store).answer(check, "42").correct
    if not _real_course()[1]:
        pytest.skip("the packaged course does not load whole yet, so the CLI cannot open it")
    out = _invoke(["-w", str(workspace), "quiz", lesson.slug, "--check", check.id, "--answer", "42", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["correct"] is True and data["expected"] == "42" and data["recorded"] is True


def test_open_quiz_named_workspace_must_exist(course_root, tmp_path, no_workspace):
    from torchtutor.workspace import WorkspaceError

    with pytest.raises(WorkspaceError):
        open_quiz(workspace=tmp_path / "nowhere", course_root=course_root)
    with pytest.raises(WorkspaceError):
        open_quiz(course_root=course_root, env={"TORCHTUTOR_WORKSPACE": str(tmp_path / "nowhere")})
    quiz = open_quiz(course_root=course_root, env={}, check_id="second/predict-size")
    assert quiz.lesson.slug == "second" and not quiz.recording

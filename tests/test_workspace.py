"""The workspace service layer, called as a front end calls it (not through the CLI).

The fixture course keeps these tests independent of lesson content. Checks run the real
harness in this process through a stand-in for the runner (the runner has its own tests);
one test goes through the real runner.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from torchtutor.checks.harness import run_exercise
from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.files import exercise_files
from torchtutor.progress import code_hash
from torchtutor.workspace import Workspace, WorkspaceError, discover
from torchtutor.workspace.core import MARKER, explain

FIXTURE = Path(__file__).parent / "fixtures" / "mini_course"


class InProcessRunner:
    """Runs a check request with the harness in this process and remembers the requests."""

    def __init__(self) -> None:
        self.requests = []

    def run(self, req):
        self.requests.append(req)
        return run_exercise(req.exercise_id, req.learner_file, req.checker_file)


@pytest.fixture
def course():
    return load_or_raise(FIXTURE)


@pytest.fixture
def ws(tmp_path, course) -> Workspace:
    workspace, _ = Workspace.create(tmp_path / "ws", course)
    yield workspace
    workspace.close()


def add_two(ws: Workspace):
    return ws.resolve("one/add-two")


def test_create_writes_every_starter_once_and_never_overwrites(tmp_path, course) -> None:
    ws, written = Workspace.create(tmp_path / "ws", course)
    lesson, ex = add_two(ws)
    target = ws.exercise_path(lesson, ex)
    assert target in written and len(written) == 2
    assert target.read_text() == exercise_files(lesson, ex).starter.read_text()
    target.write_text("total = 2 + 3  # mine\n")
    again, written_again = Workspace.create(tmp_path / "ws", course)
    assert written_again == [] and target.read_text() == "total = 2 + 3  # mine\n"
    (tmp_path / "file").write_text("")
    with pytest.raises(WorkspaceError, match="is a file, not a folder"):
        Workspace.create(tmp_path / "file", course)


def test_discover_prefers_the_explicit_folder_then_the_variable_then_the_parents(tmp_path, ws) -> None:
    nested = ws.root / "9.1.1-one"
    assert discover(None, env={}, cwd=nested) == ws.root
    assert discover(None, env={"TORCHTUTOR_WORKSPACE": str(ws.root)}, cwd=tmp_path) == ws.root
    assert discover(ws.root, env={"TORCHTUTOR_WORKSPACE": "/nowhere"}, cwd=tmp_path) == ws.root
    with pytest.raises(WorkspaceError, match="No torchtutor workspace here"):
        discover(None, env={}, cwd=tmp_path)
    with pytest.raises(WorkspaceError, match=r"\$TORCHTUTOR_WORKSPACE points at"):
        discover(None, env={"TORCHTUTOR_WORKSPACE": str(tmp_path)}, cwd=tmp_path)


def test_resolve_by_full_id_bare_id_file_and_next_undone(ws) -> None:
    lesson, ex = add_two(ws)
    assert ws.resolve("add-two") == (lesson, ex)
    assert ws.resolve(str(ws.exercise_path(lesson, ex))) == (lesson, ex)
    assert ws.resolve(None) == (lesson, ex)
    with pytest.raises(WorkspaceError, match="There is no exercise 'nothing'"):
        ws.resolve("nothing")


def test_check_records_the_attempt_with_the_stores_code_hash(ws) -> None:
    lesson, ex = add_two(ws)
    path = ws.exercise_path(lesson, ex)
    runner = InProcessRunner()
    first = ws.check(lesson, ex, runner)
    assert not first.passed and first.failure == "placeholder"
    path.write_text("total = 5\n")
    second = ws.check(lesson, ex, runner)
    assert second.passed
    attempts = ws.store.attempts("one/add-two")
    assert [a.passed for a in attempts] == [False, True]
    assert attempts[-1].code_hash == code_hash(path.read_bytes())
    assert ws.store.statuses()["one/add-two"] == "done"
    assert ws.resolve(None) == ws.resolve("two/times")            # the next one not done
    assert runner.requests[0].checker_file == str(exercise_files(lesson, ex).checker)


def test_a_verdict_comes_back_with_its_misconceptions_explained(ws) -> None:
    lesson, ex = add_two(ws)
    ws.exercise_path(lesson, ex).write_text('total = "2" + "3"\n')
    verdict = ws.check(lesson, ex, InProcessRunner())
    assert verdict.misconceptions == ["plus-is-concat"]
    assert verdict.explanations == [{"id": "plus-is-concat",
                                     "text": "Believing “+ joins numbers like strings.” — + on numbers adds them."}]
    assert verdict.to_dict()["explanations"] == verdict.explanations      # what --json and the web reader get
    stored = ws.store.last_attempt("one/add-two").verdict
    assert stored["misconceptions"] == ["plus-is-concat"]


def test_explanations_fall_back_to_the_mistake_catalogue(course) -> None:
    from torchtutor import diagnose

    entry = diagnose.get("missing-zero-grad")
    lesson = course.lesson("one")
    assert explain(course, lesson, ["missing-zero-grad", "no-such-id"]) == [
        {"id": "missing-zero-grad", "text": f"{entry.title}: {entry.explanation}"}]


def test_a_missing_file_gets_the_one_missing_file_verdict_without_running(ws) -> None:
    lesson, ex = add_two(ws)
    path = ws.exercise_path(lesson, ex)
    path.unlink()
    runner = InProcessRunner()
    verdict = ws.check(lesson, ex, runner)
    assert runner.requests == [] and ws.store.attempts("one/add-two") == []
    assert verdict.failure == "missing-file" and not verdict.passed
    assert f"torchtutor reset {ws.full_id(lesson, ex)}" in verdict.details[0]
    harness = run_exercise(ws.full_id(lesson, ex), str(path), str(exercise_files(lesson, ex).checker))
    assert (harness.summary, harness.details, harness.failure) == (verdict.summary, verdict.details, verdict.failure)
    path.mkdir()
    assert "is a folder, not a file" in ws.check(lesson, ex, runner).summary


def test_reset_keeps_the_learners_version_and_restores_the_starter(ws) -> None:
    lesson, ex = add_two(ws)
    path = ws.exercise_path(lesson, ex)
    path.write_text("total = 4  # my try\n")
    done = ws.reset(lesson, ex)
    assert done.backup.read_text() == "total = 4  # my try\n" and done.notes == []
    assert done.backup.parent == ws.root / MARKER / "backups"
    assert path.read_text() == exercise_files(lesson, ex).starter.read_text()
    path.unlink()
    assert ws.reset(lesson, ex).backup is None and path.is_file()


def test_solution_is_recorded_and_progress_reports_it_all(ws) -> None:
    lesson, ex = add_two(ws)
    source, why = ws.solution(lesson, ex)
    assert source == exercise_files(lesson, ex).solution.read_text() and why == "a + b adds."
    assert ws.store.solution_revealed("one/add-two")
    ws.exercise_path(lesson, ex).write_text("total = 5\n")
    ws.check(lesson, ex, InProcessRunner())
    data = ws.progress()
    assert [(l["slug"], l["status"], l["done"], l["total"]) for l in data["lessons"]] == [
        ("one", "done", 1, 1), ("two", "pending", 0, 1)]
    concepts = {c["name"]: c["status"] for c in data["concepts"]}
    assert concepts["Addition"] == "shown" and concepts["Multiplication"] == "not yet"
    assert ws.next_lesson().slug == "two"


def test_check_through_the_real_runner(ws) -> None:
    from torchtutor.runner import Runner

    lesson, ex = add_two(ws)
    ws.exercise_path(lesson, ex).write_text('total = "2" + "3"\n')
    with Runner() as runner:
        verdict = ws.check(lesson, ex, runner)
    assert verdict.failure == "string-result" and verdict.explanations[0]["id"] == "plus-is-concat"


# --------------------------------------------------------------------------- the hint ladder
LADDER = '''hints = [
  { text = "A: joined text.", when = ["string-result"] },
  { text = "M: about the misconception.", when = ["plus-is-concat"] },
  { text = "B: a wrong number.", when = ["wrong-value"] },
  { text = "G1: general." },
  { text = "G2: general, nearer the answer." },
]'''


def ladder_course(tmp_path, hints: str = LADDER):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    toml = root / "basics/one/lesson.toml"
    text = toml.read_text()
    old = text[text.index("hints = ["):text.index("\n]", text.index("hints = [")) + 2]
    toml.write_text(text.replace(old, hints))
    return load_or_raise(root)


@pytest.fixture
def lw(tmp_path):
    workspace, _ = Workspace.create(tmp_path / "ws", ladder_course(tmp_path))
    yield workspace
    workspace.close()


def attempt(ws: Workspace, source: str):
    lesson, ex = add_two(ws)
    ws.exercise_path(lesson, ex).write_text(source)
    return ws.check(lesson, ex, InProcessRunner())


def climb(ws: Workspace, n: int) -> list[str]:
    lesson, ex = add_two(ws)
    return [ws.hint(lesson, ex).text[:2] for _ in range(n)]


JOINED, WRONG_NUMBER = 'total = "2" + "3"\n', "total = 4\n"


def test_the_ladder_fits_the_failure_tag_and_a_shared_misconception_does_not_outrank_it(lw) -> None:
    verdict = attempt(lw, JOINED)
    assert (verdict.failure, verdict.misconceptions) == ("string-result", ["plus-is-concat"])
    lesson, ex = add_two(lw)
    step = lw.hint(lesson, ex)
    assert step.text.startswith("A:") and step.matched and step.total == 3       # M and B are left out
    assert climb(lw, 3) == ["G1", "G2", "G2"]                                     # the last rung repeats


def test_a_misconception_picks_the_hint_when_no_hint_names_the_failure(tmp_path) -> None:
    course = ladder_course(tmp_path, LADDER.replace('when = ["string-result"]', 'when = ["something-else"]'))
    ws, _ = Workspace.create(tmp_path / "ws", course)
    attempt(ws, JOINED)
    assert climb(ws, 2) == ["M:", "G1"]


def test_a_different_failure_starts_the_ladder_again_at_its_first_rung(lw) -> None:
    attempt(lw, JOINED)
    assert climb(lw, 2) == ["A:", "G1"]
    attempt(lw, WRONG_NUMBER)
    assert climb(lw, 2) == ["B:", "G1"]
    attempt(lw, JOINED)
    assert climb(lw, 1) == ["A:"]


def test_the_same_failure_again_keeps_climbing(lw) -> None:
    attempt(lw, JOINED)
    assert climb(lw, 1) == ["A:"]
    attempt(lw, 'total = "2" + "3"  # still\n')
    assert climb(lw, 1) == ["G1"]


def test_reset_starts_the_ladder_again(lw) -> None:
    attempt(lw, JOINED)
    assert climb(lw, 2) == ["A:", "G1"]
    lesson, ex = add_two(lw)
    lw.reset(lesson, ex)
    assert climb(lw, 1) == ["A:"]          # no check since the reset: the ladder of the last failure, from the top


def test_before_any_check_the_general_hints_come_first(lw) -> None:
    assert climb(lw, 3) == ["G1", "G2", "G2"]


def _real_workspace(tmp_path):
    ws, _ = Workspace.create(tmp_path / "real", load_or_raise())
    return ws


@pytest.mark.parametrize("exercise, edits, wanted, unwanted", [
    ("tensors/device-aware", [("t.detach().cpu().numpy()", "t.detach().numpy()")], ".cpu()", "W.to"),
    ("tensors/shared-memory", [("t.numpy().copy()", "t.numpy()")], ".copy()", "from_numpy"),
    ("tensors/shared-memory", [("torch.tensor(arr, dtype=torch.float32)", "torch.from_numpy(arr)")], "from_numpy", "t.numpy()"),
    ("tensors/device-aware", [("    b = b.to(X.device)\n", "")], "W.to(X.device)", ".numpy()"),
])
def test_distinct_mistakes_get_their_own_first_hint(tmp_path, exercise, edits, wanted, unwanted) -> None:
    ws = _real_workspace(tmp_path)
    lesson, ex = ws.resolve(exercise)
    source = exercise_files(lesson, ex).solution.read_text()
    for old, new in edits:
        assert old in source
        source = source.replace(old, new)
    ws.exercise_path(lesson, ex).write_text(source)
    verdict = ws.check(lesson, ex, InProcessRunner())
    assert not verdict.passed
    step = ws.hint(lesson, ex)
    assert step.matched and wanted in step.text and unwanted not in step.text, (verdict.failure, step.text)

"""The CLI contract, tried the way a learner or an editor would: real subprocesses,
a real workspace, the fixture course (so the tests do not depend on lesson content)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "mini_course"


def tt(*args: str, cwd: Path, env_extra: dict | None = None, input: str | None = None, timeout: float = 60):
    env = {k: v for k, v in os.environ.items() if k != "TORCHTUTOR_WORKSPACE"}
    env["TORCHTUTOR_COURSE"] = str(FIXTURE)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "torchtutor.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, input=input, timeout=timeout)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    proc = tt("start", "course", "--no-browser", "--no-watch", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "course"


def exercise_file(ws: Path, name: str) -> Path:
    hits = list(ws.glob(f"*/*{name}.py"))
    assert len(hits) == 1, hits
    return hits[0]


def test_start_creates_workspace_and_never_overwrites(tmp_path: Path, ws: Path) -> None:
    assert (ws / ".torchtutor").is_dir()
    add = ws / "9.1.1-one" / "01_add_two.py"
    times = ws / "9.1.2-two" / "01_times.py"
    assert add.read_text() == (FIXTURE / "basics/one/exercises/add_two.py").read_text()
    assert times.is_file()
    add.write_text("total = 2 + 3  # my work\n")
    again = tt("start", "course", "--no-browser", "--no-watch", cwd=tmp_path)
    assert again.returncode == 0
    assert add.read_text() == "total = 2 + 3  # my work\n"
    assert "9.1.1" in again.stdout and "Lesson one" in again.stdout
    page = ws / ".torchtutor" / "reader" / "9.1.1-one.html"
    html = page.read_text()
    assert "<h1>Lesson one</h1>" in html and str(add) in html
    assert '<pre class="output"><code>3' in html  # output blocks are styled apart from code


def test_list_json_contract(ws: Path) -> None:
    proc = tt("list", "--json", cwd=ws)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["id"] for r in rows] == ["one/add-two", "two/times"]
    first = rows[0]
    assert set(first) == {"id", "lesson", "title", "level", "path", "status"}
    assert first["status"] == "pending" and first["level"] == "guided"
    assert Path(first["path"]).is_absolute() and Path(first["path"]).is_file()


def test_check_wrong_then_right(ws: Path) -> None:
    wrong = tt("check", "--json", cwd=ws)
    assert wrong.returncode == 1
    verdict = json.loads(wrong.stdout)
    assert verdict["id"] == "one/add-two" and verdict["passed"] is False
    assert verdict["summary"] == "`total` is still None: replace the placeholder with your code."
    assert set(verdict) >= {"id", "passed", "summary", "details", "misconceptions", "duration_ms"}

    exercise_file(ws, "add_two").write_text('total = "2" + "3"\n')
    known = json.loads(tt("check", "one/add-two", "--json", cwd=ws).stdout)
    assert "joined text instead of adding" in known["summary"]
    assert known["misconceptions"] == ["plus-is-concat"]

    exercise_file(ws, "add_two").write_text("total = 2 + 3\n")
    right = tt("check", "one/add-two", cwd=ws)
    assert right.returncode == 0, right.stdout + right.stderr
    assert "✓ one/add-two" in right.stdout
    statuses = {r["id"]: r["status"] for r in json.loads(tt("list", "--json", cwd=ws).stdout)}
    assert statuses == {"one/add-two": "done", "two/times": "pending"}


def test_hint_ladder_starts_with_the_hint_for_the_failure(ws: Path) -> None:
    exercise_file(ws, "add_two").write_text('total = "2" + "3"\n')
    tt("check", "one/add-two", cwd=ws)
    first = tt("hint", "one/add-two", cwd=ws)
    assert first.returncode == 0
    assert "Numbers, not strings." in first.stdout and "Hint 1 of 2" in first.stdout
    second = tt("hint", "one/add-two", cwd=ws)
    assert "Use the + operator." in second.stdout and "Hint 2 of 2" in second.stdout


def test_hint_ladder_leaves_out_hints_for_other_failures(ws: Path) -> None:
    # Untouched starter: the failure is "placeholder". The hint written for the
    # string-joining mistake does not fit it, so only the general hint is on the ladder.
    tt("check", "one/add-two", cwd=ws)
    first = tt("hint", "one/add-two", cwd=ws)
    assert "Use the + operator." in first.stdout and "Hint 1 of 1" in first.stdout
    assert "Numbers, not strings." not in first.stdout


def test_solution_prints_source_and_records(ws: Path) -> None:
    proc = tt("solution", "two/times", cwd=ws)
    assert proc.returncode == 0
    assert proc.stdout == (FIXTURE / "basics/two/solutions/times.py").read_text()
    assert "a * b multiplies." in proc.stderr
    from torchtutor.progress import ProgressStore

    with ProgressStore(ws / ".torchtutor" / "progress.sqlite3") as store:
        assert store.solution_revealed("two/times")


def test_reset_restores_and_backs_up(ws: Path) -> None:
    target = exercise_file(ws, "times")
    target.write_text("def mul(a, b):\n    return a * b  # mine\n")
    proc = tt("reset", "two/times", cwd=ws)
    assert proc.returncode == 0, proc.stderr
    assert target.read_text() == (FIXTURE / "basics/two/exercises/times.py").read_text()
    backups = list((ws / ".torchtutor" / "backups").glob("01_times.*.py"))
    assert len(backups) == 1 and "# mine" in backups[0].read_text()


def test_progress_json(ws: Path) -> None:
    exercise_file(ws, "add_two").write_text("total = 5\n")
    tt("check", "one/add-two", cwd=ws)
    data = json.loads(tt("progress", "--json", cwd=ws).stdout)
    assert [l["status"] for l in data["lessons"]] == ["done", "pending"]
    concepts = {c["name"]: c["status"] for c in data["concepts"]}
    assert concepts["Addition"] == "shown" and concepts["Multiplication"] == "not yet"


def test_workspace_discovery(tmp_path: Path, ws: Path) -> None:
    nested = ws / "9.1.1-one"
    assert tt("list", "--json", cwd=nested).returncode == 0          # nearest parent with .torchtutor/
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert tt("list", "--json", cwd=elsewhere, env_extra={"TORCHTUTOR_WORKSPACE": str(ws)}).returncode == 0
    assert tt("--workspace", str(ws), "list", "--json", cwd=elsewhere).returncode == 0


def test_workspace_option_after_the_subcommand(tmp_path: Path, ws: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    exercise_file(ws, "add_two").write_text("total = 5\n")
    proc = tt("check", "one/add-two", "--workspace", str(ws), "--json", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["passed"] is True
    short = tt("progress", "-w", str(ws), "--json", cwd=elsewhere)
    assert short.returncode == 0, short.stderr
    assert json.loads(short.stdout)["lessons"][0]["status"] == "done"
    # after the subcommand wins over before it
    other = tmp_path / "other"
    assert tt("start", "--workspace", str(other), "--no-browser", "--no-watch", cwd=elsewhere).returncode == 0
    assert (other / ".torchtutor").is_dir()
    listed = json.loads(tt("--workspace", str(ws), "list", "--workspace", str(other), "--json", cwd=elsewhere).stdout)
    assert listed[0]["status"] == "pending" and listed[0]["path"].startswith(str(other.resolve()))


@pytest.mark.parametrize("args", [["list"], ["check", "nope/nothing"], ["lesson", "nothing"],
                                  ["--workspace", "/nonexistent/x", "list"]])
def test_errors_are_one_paragraph_without_traceback(tmp_path: Path, ws: Path, args: list[str]) -> None:
    cwd = ws if args[0] == "check" else tmp_path
    proc = tt(*args, cwd=cwd)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Error:" in proc.stderr


def test_broken_course_file_is_reported_not_raised(tmp_path: Path) -> None:
    course = tmp_path / "course_src"
    shutil.copytree(FIXTURE, course)
    toml = course / "basics/one/lesson.toml"
    toml.write_text(toml.read_text().replace('level = "guided"', 'level = "hard"'))
    proc = tt("start", str(tmp_path / "ws"), "--no-browser", "--no-watch", cwd=tmp_path,
              env_extra={"TORCHTUTOR_COURSE": str(course)})
    assert proc.returncode == 2
    assert "lesson.toml:" in proc.stderr and "Traceback" not in proc.stderr


def test_corrupt_progress_database_is_recovered(ws: Path) -> None:
    db = ws / ".torchtutor" / "progress.sqlite3"
    db.write_bytes(os.urandom(4096))
    proc = tt("list", "--json", cwd=ws)
    assert proc.returncode == 0, proc.stderr
    assert list(db.parent.glob("progress.sqlite3.corrupt-*"))


def test_watch_json_reports_each_save(ws: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TORCHTUTOR_WORKSPACE"}
    env["TORCHTUTOR_COURSE"] = str(FIXTURE)
    proc = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "watch", "--json"], cwd=ws, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3.0)  # the watcher and the warm worker start
        target = exercise_file(ws, "add_two")
        target.write_text("total = 4\n")
        wrong = json.loads(proc.stdout.readline())
        assert wrong["id"] == "one/add-two" and not wrong["passed"] and "should be 5" in wrong["summary"]
        target.write_text("total = 5\n")
        right = json.loads(proc.stdout.readline())
        assert right["passed"] and right["duration_ms"] < 2000
    finally:
        proc.terminate()
        proc.wait(timeout=10)

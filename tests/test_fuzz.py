"""Fuzz suite (issue 14, item 9): bad input at every edge a learner can reach, each case with
its exact outcome: the message's key words, the exit status (2 for a user's mistake), no
traceback and no "internal error", nothing written where nothing should be, nothing lost.

The command-line cases run the real entry point (``torchtutor.cli.main``, the one the console
script calls) in this process, with its own argv, environment, working folder and HOME, and
one warm Runner shared by the ``check`` cases; a subprocess is used only where process
behaviour is the point (stdin, signals, ``kill -9``, the doctor's child). The cases already in
tests/test_reliability.py are not repeated here. Slow loops (many kill -9s, concurrency at
scale, hundreds of random files) are in benchmarks/fuzz_slow.py.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import multiprocessing
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import torchtutor
from torchtutor import cli as cli_module
from torchtutor.progress import ProgressStore

FIXTURE = Path(__file__).parent / "fixtures" / "mini_course"
SRC = str(Path(torchtutor.__file__).resolve().parents[1])
SOLUTION = (FIXTURE / "basics/one/solutions/add_two.py").read_text()
EXERCISE = "9.1.1-one/01_add_two.py"
DEEP = "/tmp/" + "/".join(["d" * 200] * 25)          # every name legal, the whole path over PATH_MAX
VARIABLES = ("TORCHTUTOR_WORKSPACE", "TORCHTUTOR_COURSE", "TORCHTUTOR_DATA")



# --------------------------------------------------------------------------- harness
@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stderr (else stdout) as one line, whatever the console's wrapping."""
        return " ".join((self.err or self.out).replace("│", " ").split())


class _Kept:
    """``with cli._runner() as r`` hands out the shared runner and leaves it running."""

    def __init__(self, runner):
        self.runner = runner

    def __enter__(self):
        return self.runner

    def __exit__(self, *exc):
        return False


@pytest.fixture(scope="module")
def shared_runner():
    from torchtutor.runner import Runner

    runner = Runner()
    yield runner
    runner.close()


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def tt(tmp_path, home, monkeypatch, shared_runner):
    """Run ``torchtutor ARGS`` in-process: (exit status, stdout, stderr)."""
    monkeypatch.setattr(cli_module, "_runner", lambda: _Kept(shared_runner))

    def run(*args: str, cwd: Path = tmp_path, env: dict | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with monkeypatch.context() as m:
            for name in VARIABLES:
                m.delenv(name, raising=False)
            m.setenv("TORCHTUTOR_COURSE", str(FIXTURE))
            m.setenv("COLUMNS", "200")
            for name, value in (env or {}).items():
                m.setenv(name, value)
            m.chdir(cwd)
            m.setattr(sys, "argv", ["torchtutor", *args])
            code = 0
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    cli_module.main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            finally:
                gc.collect()          # a command's store closes here, as it would at process exit
        return Result(code, out.getvalue(), err.getvalue())

    return run


def sane(res: Result, home: Path) -> None:
    """No traceback, no internal error, no crash log."""
    both = res.out + res.err
    assert "Traceback" not in both and "internal error" not in both, both
    assert not (home / ".cache" / "torchtutor" / "crash.log").exists(), both


def user_error(res: Result, home: Path, *words: str) -> str:
    """A mistake the user can fix: exit 2 and one paragraph that says the ``words``."""
    assert res.code == 2, (res.code, res.out, res.err)
    sane(res, home)
    text = res.text
    assert text.startswith(("Error:", "Usage:")), text
    for word in words:
        assert word in text, (word, text)
    return text


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder or a link)."""
    out: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        out[rel] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return out


@pytest.fixture
def ws(tt, tmp_path, home) -> Path:
    res = tt("start", "ws", "--no-browser", "--no-watch")
    assert res.code == 0, res.err
    return tmp_path / "ws"


def db_of(ws: Path) -> Path:
    return ws / ".torchtutor" / "progress.sqlite3"


def attempts_of(ws: Path) -> int:
    with ProgressStore(db_of(ws)) as store:
        return len(store.attempts())


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# --------------------------------------------------------------------------- bad arguments and paths
BAD_ARGS = [
    (["frobnicate"], ["No such command 'frobnicate'"]),
    (["list", "--frob"], ["No such option: --frob"]),
    (["check", "one/add-two", "extra"], ["unexpected extra argument", "(extra)"]),
    (["start", "x", "--port", "70000", "--no-browser"], ["Invalid value for '--port'", "65535"]),
    (["check", "no/such-exercise"], ["There is no exercise 'no/such-exercise'", "`torchtutor list`"]),
    (["check", "../../etc/passwd"], ["There is no exercise '../../etc/passwd'"]),
    (["check", "/etc/passwd"], ["There is no exercise '/etc/passwd'"]),
    (["hint", "no/such"], ["There is no exercise 'no/such'"]),
    (["reset", "no/such"], ["There is no exercise 'no/such'"]),
    (["lesson", "99.99"], ["There is no lesson '99.99'", "The lessons are: one, two"]),
    (["quiz", "nonexistent"], ["There is no lesson 'nonexistent'"]),
    (["curriculum", "plan", "99"], ["There is no module '99'", "The modules are: 9.1"]),
]


@pytest.mark.parametrize("args, words", BAD_ARGS, ids=[" ".join(a)[:40] for a, _ in BAD_ARGS])
def test_a_bad_argument_is_one_paragraph_and_changes_nothing(tt, ws, home, args, words) -> None:
    before = snapshot(ws)
    user_error(tt(*args, cwd=ws), home, *words)
    assert snapshot(ws) == before


BAD_WORKSPACES = [
    ("deep path", lambda tmp: DEEP, ["--workspace is", "(5029 characters)", "too long for the file system"]),
    ("256-character name", lambda tmp: "/tmp/" + "c" * 256, ["a folder name may have at most 255 characters",
                                                              "its longest has 256"]),
    ("bytes that are not UTF-8", lambda tmp: str(tmp / "caf\udce9"), ["is not a torchtutor workspace",
                                                                      "Create one with `torchtutor start"]),
    ("dangling link", lambda tmp: str(tmp / "link"), ["is not a torchtutor workspace"]),
    ("empty string", lambda tmp: "", ["is not a torchtutor workspace", "`torchtutor start .`"]),
]


@pytest.mark.parametrize("how, path, words", BAD_WORKSPACES, ids=[b[0] for b in BAD_WORKSPACES])
def test_a_bad_workspace_option_is_one_paragraph_and_creates_nothing(tt, tmp_path, home, how, path, words) -> None:
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    before = snapshot(tmp_path)
    user_error(tt("--workspace", path(tmp_path), "progress"), home, *words)
    assert snapshot(tmp_path) == before and not (tmp_path / "nowhere").exists()


def test_no_workspace_anywhere_says_how_to_make_one(tt, tmp_path, home) -> None:
    user_error(tt("progress", "--json"), home, "No torchtutor workspace here", "Run `torchtutor start`")


BAD_WORKSPACE_VARIABLES = [
    ("a file", lambda tmp: str(tmp / "notes.txt"), ["$TORCHTUTOR_WORKSPACE is", "which is a file, not a folder"]),
    ("a relative path to nothing", lambda tmp: "rel/none", ["$TORCHTUTOR_WORKSPACE points at", "rel/none",
                                                            "or unset $TORCHTUTOR_WORKSPACE"]),
    ("bytes that are not UTF-8", lambda tmp: "/tmp/\udcff", ["$TORCHTUTOR_WORKSPACE points at"]),
    ("a deep path", lambda tmp: DEEP, ["$TORCHTUTOR_WORKSPACE is", "too long for the file system"]),
    ("empty, which is unset", lambda tmp: "", ["No torchtutor workspace here"]),
]


@pytest.mark.parametrize("how, value, words", BAD_WORKSPACE_VARIABLES, ids=[b[0] for b in BAD_WORKSPACE_VARIABLES])
def test_a_bad_workspace_variable_is_one_paragraph(tt, tmp_path, home, how, value, words) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    before = snapshot(tmp_path)
    user_error(tt("list", env={"TORCHTUTOR_WORKSPACE": value(tmp_path)}), home, *words)
    assert snapshot(tmp_path) == before


def test_an_empty_course_variable_means_the_course_that_comes_with_torchtutor(tt, ws, home) -> None:
    res = tt("-w", str(ws), "list", "--json", env={"TORCHTUTOR_COURSE": ""})
    assert res.code == 0, res.err
    sane(res, home)
    assert "tensors/mirror-numpy" in [row["id"] for row in json.loads(res.out)]


def test_a_course_variable_naming_a_folder_without_a_course(tt, ws, tmp_path, home) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    text = user_error(tt("-w", str(ws), "list", env={"TORCHTUTOR_COURSE": str(empty)}), home,
                      f"The course that $TORCHTUTOR_COURSE points at ({empty}) is broken",
                      "series.toml:1: file is missing", "or unset it")
    assert "reinstall" not in text
    assert list(empty.iterdir()) == []


def test_a_course_variable_with_bytes_that_are_not_utf8(tt, ws, home) -> None:
    user_error(tt("-w", str(ws), "list", env={"TORCHTUTOR_COURSE": "/tmp/caf\udce9"}), home,
               "$TORCHTUTOR_COURSE is set to", "which does not exist")


@pytest.mark.parametrize("value, words", [
    ("file", ["TORCHTUTOR_DATA is set to", "which is not a folder", "or unset it"]),
    (DEEP, ["TORCHTUTOR_DATA is set to a path that cannot be used", "(5029 characters)", "File name too long"]),
], ids=["a file", "a deep path"])
def test_a_bad_data_variable_is_one_paragraph(tt, tmp_path, home, value, words) -> None:
    (tmp_path / "file").write_text("")
    user_error(tt("data", "fetch", "mnist", env={"TORCHTUTOR_DATA": value if value != "file" else str(tmp_path / "file")}),
               home, *words)


def test_a_file_where_the_backups_folder_belongs_is_named(tt, ws, home) -> None:
    backups = ws / ".torchtutor" / "backups"
    shutil.rmtree(backups)
    backups.write_text("not torchtutor's\n")
    user_error(tt("start", str(ws), "--no-browser", "--no-watch"), home,
               f"{backups} is a file, where torchtutor needs a folder", "Move or rename that file")
    user_error(tt("-w", str(ws), "reset", "one/add-two"), home, f"{backups} is a file, where torchtutor needs a folder")
    assert backups.read_text() == "not torchtutor's\n"


# --------------------------------------------------------------------------- workspace files
def _check(tt, ws: Path) -> tuple[Result, dict]:
    res = tt("-w", str(ws), "check", "one/add-two", "--json")
    return res, json.loads(res.out)


def _link_to_nowhere(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.parent / "nowhere.py")


LEARNER_FILES = [
    ("missing", lambda f: f.unlink(), 1, "missing-file", ["does not exist"]),
    ("dangling link", _link_to_nowhere, 1, "missing-file", ["does not exist"]),
    ("empty", lambda f: f.write_text(""), 1, "missing-name", ["does not define `total` yet"]),
    ("truncated mid-line", lambda f: f.write_text(SOLUTION[:7] + "(\n"), 1, "syntax-error",
     ["Python cannot read your file", "line 1 of 01_add_two.py"]),
    ("10 MB of comments", lambda f: f.write_text(SOLUTION + ("# " + "x" * 98 + "\n") * 100_000), 0, None, []),
    ("Windows line ends", lambda f: f.write_bytes(SOLUTION.replace("\n", "\r\n").encode()), 0, None, []),
]


@pytest.mark.parametrize("how, damage, code, failure, words", LEARNER_FILES, ids=[c[0] for c in LEARNER_FILES])
def test_a_damaged_learner_file_gets_a_verdict_not_a_crash(tt, ws, home, how, damage, code, failure, words) -> None:
    damage(ws / EXERCISE)
    res, verdict = _check(tt, ws)
    assert res.code == code and verdict["failure"] == failure, verdict
    sane(res, home)
    for word in words:
        assert word in verdict["summary"], verdict
    if failure == "missing-file":
        assert "torchtutor reset one/add-two" in " ".join(verdict["details"])
        assert not (ws / EXERCISE).parent.joinpath("nowhere.py").exists()
    listed = tt("-w", str(ws), "list", "--json")
    assert listed.code == 0 and json.loads(listed.out)[0]["status"] == ("done" if code == 0 else "pending" if
                                                                        failure == "missing-file" else "failing")


@pytest.mark.parametrize("how, data, passed, failure, words", [
    ("Latin-1 comment", b"# caf\xe9\n" + SOLUTION.encode(), False, "not-utf8", ["Line 1 of 01_add_two.py is not UTF-8 text", "Save the file as UTF-8"]),
    ("PEP 263 coding line", b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + SOLUTION.encode(), True, None, []),
    ("UTF-8 with a BOM", b"\xef\xbb\xbf" + SOLUTION.encode(), True, None, []),
    ("random bytes", bytes(range(256)) * 8, False, "binary-file", ["looks like a binary file"]),
], ids=["latin-1", "pep-263", "bom", "binary"])
def test_a_file_in_another_encoding(tt, ws, home, how, data, passed, failure, words) -> None:
    (ws / EXERCISE).write_bytes(data)
    res, verdict = _check(tt, ws)
    sane(res, home)
    assert verdict["passed"] is passed and verdict["failure"] == failure, verdict
    assert "UnicodeDecodeError" not in verdict["summary"] and "position" not in verdict["summary"], verdict
    for word in words:
        assert word in verdict["summary"] + " ".join(verdict["details"]), verdict
    assert (ws / EXERCISE).read_bytes() == data                 # judged, never rewritten


def test_a_null_byte_is_named_without_a_line_zero(tt, ws, home) -> None:
    (ws / EXERCISE).write_bytes(SOLUTION.encode() + b"\x00\n")
    res, verdict = _check(tt, ws)
    sane(res, home)
    assert res.code == 1 and verdict["passed"] is False, verdict
    assert "line 0" not in verdict["summary"] and ("null" in verdict["summary"] or "binary" in verdict["summary"])


# --------------------------------------------------------------------------- the progress database
def _one_attempt(tt, ws: Path) -> None:
    (ws / EXERCISE).write_text(SOLUTION)
    assert tt("-w", str(ws), "check", "one/add-two").code == 0
    assert attempts_of(ws) == 1


@pytest.mark.parametrize("damage", ["zeros", "random bytes"])
def test_the_cli_says_when_it_moved_a_damaged_database_aside(tt, ws, home, damage) -> None:
    db = db_of(ws)
    size = db.stat().st_size
    db.write_bytes(bytes(size) if damage == "zeros" else os.urandom(size))
    res = tt("-w", str(ws), "progress", "--json")
    assert res.code == 0, res.err
    sane(res, home)
    backups = [p for p in db.parent.glob("progress.sqlite3.corrupt-*")]
    assert len(backups) == 1 and backups[0].stat().st_size == size
    notices = json.loads(res.out)["notices"]
    assert len(notices) == 1 and str(backups[0]) in notices[0] and "Nothing in it could be read" in notices[0]
    assert "damaged" in res.text and integrity(db) == "ok"


def test_an_empty_database_file_is_a_fresh_store(tt, ws, home) -> None:
    db_of(ws).write_bytes(b"")
    res = tt("-w", str(ws), "progress", "--json")
    assert res.code == 0 and json.loads(res.out)["notices"] == [], res.err
    assert not list(db_of(ws).parent.glob("*.corrupt-*")) and integrity(db_of(ws)) == "ok"


def test_a_folder_where_the_database_belongs(tt, ws, home) -> None:
    db = db_of(ws)
    db.unlink()
    db.mkdir()
    (db / "keep.txt").write_text("mine\n")
    user_error(tt("-w", str(ws), "progress"), home, f"could not open the progress database {db}",
               "Check that it is a file (not a folder)")
    assert [p.name for p in db.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("schema, words", [
    (["CREATE TABLE attempts (who TEXT, score REAL)"], ["is an SQLite database that torchtutor did not make",
                                                        "(it holds tables, attempts, but no torchtutor schema version)",
                                                        "wrote nothing to it"]),
    (["CREATE TABLE attempts (x)", "PRAGMA user_version = 99"], ["written by a newer torchtutor",
                                                                 "schema version 99", "left untouched"]),
], ids=["our table name, another schema", "a newer schema version"])
def test_a_database_we_cannot_use_is_refused_byte_for_byte_unchanged(tt, ws, home, schema, words) -> None:
    db = db_of(ws)
    for path in db.parent.glob("progress.sqlite3*"):
        path.unlink()
    raw = sqlite3.connect(db)
    for sql in schema:
        raw.execute(sql)
    raw.commit()
    raw.close()
    before = db.read_bytes()
    user_error(tt("-w", str(ws), "list"), home, *words)
    assert db.read_bytes() == before and not db.with_name(db.name + "-wal").exists()


@pytest.mark.parametrize("sidecar", ["-wal", "-shm", "-journal"])
def test_a_garbage_sidecar_file_loses_nothing(tt, ws, home, sidecar) -> None:
    _one_attempt(tt, ws)
    db_of(ws).with_name("progress.sqlite3" + sidecar).write_bytes(os.urandom(32768))
    res = tt("-w", str(ws), "progress", "--json")
    assert res.code == 0 and json.loads(res.out)["notices"] == [], res.err
    assert attempts_of(ws) == 1 and integrity(db_of(ws)) == "ok"
    assert not list(db_of(ws).parent.glob("*.corrupt-*"))


def _filled(db: Path, n: int = 20) -> None:
    with ProgressStore(db) as store:
        for i in range(n):
            store.record_attempt("one/add-two", i % 2 == 0, {"summary": f"attempt {i:03d} " + "x" * 40}, "h" * 64)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _page_of(db: Path, index: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    finally:
        conn.close()


def test_a_damaged_byte_inside_a_row_costs_that_value_not_the_table(tt, ws, home) -> None:
    db = db_of(ws)
    for path in db.parent.glob("progress.sqlite3*"):
        path.unlink()
    _filled(db)
    data = db.read_bytes()
    at = data.index(b"attempt 007 ") + len(b"attempt 0")
    db.write_bytes(data[:at] + b"\xff" + data[at + 1:])       # not UTF-8, which no integrity check looks at
    res = tt("-w", str(ws), "progress", "--json")
    assert res.code == 0, res.err
    sane(res, home)
    with ProgressStore(db) as store:
        summaries = [a.verdict["summary"] for a in store.attempts()]
    assert len(summaries) == 20 and summaries[7].startswith("attempt 0\ufffd7 ")


def test_an_index_that_no_longer_matches_its_table_is_found_and_every_row_kept(tt, ws, home) -> None:
    db = db_of(ws)
    for path in db.parent.glob("progress.sqlite3*"):
        path.unlink()
    _filled(db)
    page = _page_of(db, "attempts_by_exercise")
    data = bytearray(db.read_bytes())
    start = (page - 1) * 4096
    at = data.index(b"one/add-two", start, start + 4096)
    data[at + len("one/add-tw")] = ord("x")                  # the index says one/add-twx; the table does not
    db.write_bytes(bytes(data))
    res = tt("-w", str(ws), "progress", "--json")
    assert res.code == 0, res.err
    notices = json.loads(res.out)["notices"]
    assert len(notices) == 1 and "Part of it could still be read" in notices[0] and "20 checks" in notices[0]
    assert attempts_of(ws) == 20 and integrity(db) == "ok"
    backup = next(p for p in db.parent.glob("progress.sqlite3.corrupt-*") if not p.name.endswith(("-wal", "-shm")))
    assert backup.read_bytes() == bytes(data)


def test_a_folder_where_the_open_lock_belongs_does_not_stop_anything(tt, ws, home) -> None:
    lock = db_of(ws).with_name("progress.sqlite3.lock")
    lock.unlink()
    lock.mkdir()
    _one_attempt(tt, ws)
    assert lock.is_dir()


def test_a_database_locked_by_another_process(tt, ws, home, monkeypatch) -> None:
    import torchtutor.progress.store as store

    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.3)
    other = sqlite3.connect(db_of(ws), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        listed = tt("-w", str(ws), "list", "--json")          # readers still read (WAL)
        assert listed.code == 0 and len(json.loads(listed.out)) == 2, listed.err
        user_error(tt("-w", str(ws), "hint", "one/add-two"), home,
                   "could not write to the progress database", "kept it locked for more than 0.3 seconds",
                   "Stop other torchtutor commands or watchers")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert tt("-w", str(ws), "hint", "one/add-two").code == 0


@pytest.fixture
def read_only():
    """Make a file read-only for this process, root included (chattr +i), undone afterwards."""
    undo = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(0o444)
            undo.append(lambda: path.chmod(0o644))
            return
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)],
                                                             capture_output=True).returncode != 0:
            pytest.skip("running as root where chattr +i is not available: no file is read-only")
        undo.append(lambda: subprocess.run(["chattr", "-i", str(path)], check=True))

    yield make
    for step in undo:
        step()


def test_a_read_only_database_reads_and_refuses_writes_in_one_paragraph(tt, ws, home, read_only) -> None:
    _one_attempt(tt, ws)
    db = db_of(ws)
    before = db.read_bytes()
    read_only(db)
    listed = tt("-w", str(ws), "list", "--json")
    assert listed.code == 0 and json.loads(listed.out)[0]["status"] == "done", listed.err
    user_error(tt("-w", str(ws), "hint", "one/add-two"), home, f"could not write to the progress database {db}",
               "that you may read and write it")
    assert db.read_bytes() == before


# --------------------------------------------------------------------------- the course
def _edit(rel: str, old: str | bytes, new: str | bytes):
    def apply(root: Path) -> None:
        path = root / rel
        data = path.read_bytes()
        old_b = old.encode() if isinstance(old, str) else old
        assert old_b in data, (rel, old)
        path.write_bytes(data.replace(old_b, new.encode() if isinstance(new, str) else new))
    return apply


def _replace(rel: str, how):
    def apply(root: Path) -> None:
        how(root / rel)
    return apply


def _folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


BROKEN_COURSES = [
    ("lesson.toml bad TOML", _edit("basics/one/lesson.toml", 'title = "Lesson one"', 'title = "Lesson one'),
     ["basics/one/lesson.toml:3: not valid TOML"]),
    ("lesson.toml missing key", _edit("basics/one/lesson.toml", 'title = "Lesson one"\n', ""),
     ["basics/one/lesson.toml:1: title: Field required"]),
    ("lesson.toml wrong value", _edit("basics/one/lesson.toml", 'level = "guided"', "level = 7"),
     ["basics/one/lesson.toml:31: exercises.0.level"]),
    ("lesson.toml not UTF-8", _edit("basics/one/lesson.toml", "Adds numbers.", b"Adds caf\xe9."),
     ["basics/one/lesson.toml:1: cannot be read"]),
    ("lesson.toml empty", _replace("basics/one/lesson.toml", lambda p: p.write_text("")),
     ["basics/one/lesson.toml:1: slug: Field required", "more problem(s)", "curriculum lint"]),
    ("lesson.toml a folder", _replace("basics/one/lesson.toml", _folder_instead),
     ["basics/one/lesson.toml:1: cannot be read"]),
    ("module.toml bad TOML", _edit("basics/module.toml", 'takes_up = ["Saving"]', 'takes_up = ["Saving"]\n[[planned]\n'),
     ["basics/module.toml:", "not valid TOML"]),
    ("module.toml missing", _replace("basics/module.toml", lambda p: p.unlink()),
     ["basics/module.toml:1: file is missing"]),
    ("module.toml names a lesson that is not there", _edit("basics/module.toml", '"one", "two"]', '"one", "two", "ghost"]'),
     ["basics/ghost/lesson.toml:1: file is missing"]),
    ("series.toml random bytes", _replace("series.toml", lambda p: p.write_bytes(b"\x83" + os.urandom(300))),
     ["series.toml:1: cannot be read"]),
    ("a checker missing", _replace("basics/one/checkers/add_two.py", lambda p: p.unlink()),
     ["basics/one/checkers/add_two.py:1: the checker of one/add-two is missing"]),
    ("a starter missing", _replace("basics/one/exercises/add_two.py", lambda p: p.unlink()),
     ["basics/one/exercises/add_two.py:1: the starter of one/add-two is missing"]),
    ("lesson.md missing", _replace("basics/one/lesson.md", lambda p: p.unlink()),
     ["basics/one/lesson.md:1: lesson.md is missing"]),
    ("lesson.md not UTF-8", _replace("basics/one/lesson.md", lambda p: p.write_bytes(b"# One\n\n\xff\xfe binary\n")),
     ["basics/one/lesson.md:3: this line is not UTF-8 text"]),
]


@pytest.fixture
def broken_course(tmp_path):
    def make(damage) -> Path:
        course = tmp_path / "course"
        shutil.copytree(FIXTURE, course)
        damage(course)
        return course
    return make


@pytest.mark.parametrize("how, damage, words", BROKEN_COURSES, ids=[c[0] for c in BROKEN_COURSES])
def test_a_broken_course_is_one_paragraph_naming_the_file_and_the_variable(tt, ws, tmp_path, home, broken_course,
                                                                           how, damage, words) -> None:
    course = broken_course(damage)
    env = {"TORCHTUTOR_COURSE": str(course)}
    before = snapshot(ws)
    for args in (["-w", str(ws), "list"], ["-w", str(ws), "check", "one/add-two"]):
        text = user_error(tt(*args, env=env), home, f"The course that $TORCHTUTOR_COURSE points at ({course}) is broken",
                          *words)
        assert "reinstall" not in text
    user_error(tt("start", str(tmp_path / "new"), "--no-browser", "--no-watch", env=env), home, *words)
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").rglob("*.py"))
    assert snapshot(ws) == before


@pytest.mark.parametrize("rel, extra, words", [
    ("basics/one/lesson.md", b"\n# caf\xe9\n", "is not UTF-8 text"),
    ("basics/one/checkers/add_two.py", b"\n# caf\xe9\n", "is not UTF-8 text"),
    ("basics/one/checkers/add_two.py", b"\ndef broken(:\n", "the checker does not parse"),
], ids=["lesson.md not UTF-8", "checker not UTF-8", "checker syntax error"])
def test_lint_names_a_course_file_that_cannot_be_read(tt, home, broken_course, rel, extra, words) -> None:
    course = broken_course(_replace(rel, lambda p: p.write_bytes(p.read_bytes() + extra)))
    res = tt("curriculum", "lint", env={"TORCHTUTOR_COURSE": str(course)})
    sane(res, home)
    assert res.code == 1 and f"{rel}:" in res.out and words in res.out, res.out + res.err


@pytest.mark.parametrize("checker", ["def check(ex:\n", "TOTAL = 5\n"], ids=["syntax error", "defines nothing"])
def test_a_broken_checker_never_passes_and_never_blames_the_learner(tt, ws, home, broken_course, checker) -> None:
    course = broken_course(_replace("basics/one/checkers/add_two.py", lambda p: p.write_text(checker)))
    (ws / EXERCISE).write_text(SOLUTION)
    res = tt("-w", str(ws), "check", "one/add-two", "--json", env={"TORCHTUTOR_COURSE": str(course)})
    verdict = json.loads(res.out)
    sane(res, home)
    assert res.code == 1 and verdict["passed"] is False and verdict["failure"] == "checker-broken", verdict
    assert "The checker of one/add-two is broken" in verdict["summary"] and "your code was not judged" in verdict["summary"]
    assert "not in your code" in verdict["details"][0] and "Checking your code raised" not in verdict["summary"]


# --------------------------------------------------------------------------- concurrency and kill -9
def _record(path: str, worker: int, n: int) -> None:
    with ProgressStore(path) as store:
        for i in range(n):
            store.record_attempt("one/add-two", i % 2 == 0, {"summary": f"w{worker} #{i}"}, f"{worker}-{i}")


def test_parallel_writers_keep_every_attempt(tmp_path) -> None:
    db = tmp_path / "progress.sqlite3"
    ProgressStore(db).close()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_record, args=(str(db), w, 15)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with ProgressStore(db) as store:
        summaries = sorted(a.verdict["summary"] for a in store.attempts())
    assert summaries == sorted(f"w{w} #{i}" for w in range(4) for i in range(15))
    assert integrity(db) == "ok"


def _cli_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update({"TORCHTUTOR_COURSE": str(FIXTURE), "PYTHONPATH": SRC, "COLUMNS": "200"})
    env.update(extra or {})
    return env


def _descendants(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                out.append(int(entry))
    return out


def test_kill_9_of_check_mid_run_loses_nothing(tt, ws, home) -> None:
    _one_attempt(tt, ws)
    (ws / EXERCISE).write_text("import time\ntime.sleep(30)\ntotal = 5\n")
    proc = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "-w", str(ws), "check", "one/add-two"],
                            env=_cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _descendants(proc.pid) and time.monotonic() < deadline:    # the check is under way
        time.sleep(0.05)
    time.sleep(0.5)
    proc.kill()
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db_of(ws)) == "ok" and attempts_of(ws) == 1
    (ws / EXERCISE).write_text(SOLUTION)
    res = tt("-w", str(ws), "progress", "--json")
    assert res.code == 0 and json.loads(res.out)["notices"] == []
    assert tt("-w", str(ws), "check", "one/add-two").code == 0 and attempts_of(ws) == 2


# --------------------------------------------------------------------------- doctor
@pytest.mark.parametrize("args, words", [
    (["{tmp}"], ["is a folder", "Give the path of the Python file"]),
    (["{tmp}/link.py"], ["No such script", "link.py"]),
    (["/tmp/" + "d" * 300 + ".py"], ["No such script"]),
    (["{script}", "--max-seconds", "nan"], ["--max-seconds must be a positive number of seconds, not nan"]),
    (["{script}", "--max-seconds", "-1"], ["--max-seconds must be a positive number of seconds, not -1.0"]),
    (["--max-steps", "-5", "{script}"], ["--max-steps must be at least 1, not -5"]),
], ids=["a folder", "a dangling link", "an overlong name", "nan seconds", "negative seconds", "negative steps"])
def test_doctor_usage_errors_are_one_paragraph(tt, tmp_path, home, args, words) -> None:
    script = tmp_path / "train.py"
    script.write_text("print('ran')\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "gone.py")
    args = [a.format(tmp=tmp_path, script=script) for a in args]
    res = tt("doctor", *args)
    user_error(res, home, *words)
    assert "ran" not in res.out


def test_doctor_calls_a_binary_script_a_binary_file(tt, tmp_path, home) -> None:
    script = tmp_path / "train.py"
    script.write_bytes(bytes(range(256)) * 4)
    text = user_error(tt("doctor", str(script)), home, "train.py looks like a binary file, not Python source")
    assert "line None" not in text


def _doctor(*args: str, cwd: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "doctor", *args], cwd=cwd, env=_cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


DOCTOR_SCRIPTS = {
    "exits 3": ("import sys\nprint('bye')\nsys.exit(3)\n", []),
    "crashes": ("def f():\n    return 1 / 0\nf()\n", []),
    "reads stdin": ("import sys\nlines = sys.stdin.read().splitlines()\nprint('got', len(lines), 'lines:', lines[-1])\n"
                    "print('name?', input() if False else '')\n", []),
    "prints 5 MB": ("import sys\nfor i in range(50_000):\n    sys.stdout.write('%06d ' % i + 'x' * 93 + '\\n')\n"
                    "print('done')\n", ["--json"]),
    "never ends": ("import time\nwhile True:\n    time.sleep(0.01)\n", ["--max-seconds", "1", "--json"]),
}


@pytest.fixture(scope="module")
def doctor_runs(tmp_path_factory):
    """The plain doctor cases run at once (each child imports torch), then are judged one by one."""
    tmp = tmp_path_factory.mktemp("doctor")
    procs = {}
    for name, (source, extra) in DOCTOR_SCRIPTS.items():
        script = tmp / (name.replace(" ", "_") + ".py")
        script.write_text(source)
        stdin = subprocess.PIPE if name == "reads stdin" else subprocess.DEVNULL
        procs[name] = _doctor(str(script), *extra, cwd=tmp, stdin=stdin)
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate("".join(f"line {i}\n" for i in range(1000)) if name == "reads stdin" else None,
                                    timeout=300)
        results[name] = Result(proc.returncode, out, err)
    return results


def _doctor_sane(res: Result) -> None:
    assert "internal error" not in res.out + res.err
    assert "Traceback" not in res.out


def test_doctor_reports_a_script_that_exits_non_zero(doctor_runs) -> None:
    res = doctor_runs["exits 3"]
    _doctor_sane(res)
    assert res.code == 0, res.err
    assert "bye" in res.out and "exit status 3" in res.out and "The script exited with status 3" in res.out


def test_doctor_shows_a_crash_as_python_does_and_exits_4(doctor_runs) -> None:
    res = doctor_runs["crashes"]
    _doctor_sane(res)
    assert res.code == 4, res.err
    assert "Traceback" in res.err and "ZeroDivisionError: division by zero" in res.err
    assert "The script crashed" in res.out


def test_doctor_passes_stdin_to_the_script(doctor_runs) -> None:
    res = doctor_runs["reads stdin"]
    _doctor_sane(res)
    assert res.code == 0, res.err
    assert "got 1000 lines: line 999" in res.out and "EOFError" not in res.err


def test_doctor_keeps_json_on_stdout_under_5_mb_of_script_output(doctor_runs) -> None:
    res = doctor_runs["prints 5 MB"]
    assert res.code == 0, res.err[-2000:]
    report = json.loads(res.out)
    assert report["exit_status"] == 0 and report["summary"]["doctor_exit_code"] == 0
    assert len(res.err) > 5_000_000 and res.err.rstrip().endswith("done")


def test_doctor_stops_an_endless_script_at_max_seconds(doctor_runs) -> None:
    res = doctor_runs["never ends"]
    assert res.code == 0, res.err
    summary = json.loads(res.out)["summary"]
    # stopped by the child's own timer (the limit + 3 s), not killed by the parent after its 30 s grace
    assert summary["cut_short"] == "max-seconds" and "cut short" in summary["verdict"]
    assert summary["duration_s"] < 30


LOOP = """import time
import torch
model = torch.nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(32, 4), torch.randn(32, 1)
try:
    print("training", flush=True)
    while True:
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        time.sleep(0.005)
except KeyboardInterrupt:
    print("the script saw KeyboardInterrupt", flush=True)
    raise
"""


def _wait_for(stream_fd: int, token: bytes, limit: float) -> bytes:
    seen = b""
    end = time.monotonic() + limit
    while token not in seen and time.monotonic() < end:
        ready, _, _ = select.select([stream_fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(stream_fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_doctor_passes_its_signals_on_and_still_reports(tmp_path, sig, code) -> None:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    proc = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "doctor", str(script), "--json"], cwd=tmp_path,
                            env=_cli_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = _wait_for(proc.stderr.fileno(), b"training", 120)
    assert b"training" in seen, seen
    time.sleep(0.3)                                 # a few optimizer steps
    sent = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 5, "the doctor did not exit promptly"
    err = seen + err
    assert proc.returncode == code, err.decode(errors="replace")
    assert err.count(b"the script saw KeyboardInterrupt") == 1
    report = json.loads(out)
    assert report["summary"]["interrupted"] == sig.name and report["summary"]["doctor_exit_code"] == code
    assert report["summary"]["steps"] >= 1 and "interrupted" in report["summary"]["verdict"]


def test_ctrl_c_at_a_terminal_reaches_the_script_once(tmp_path) -> None:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    pid, fd = pty.fork()
    if pid == 0:                                    # the child: the doctor, on a terminal of its own
        try:
            os.chdir(tmp_path)
            os.execve(sys.executable, [sys.executable, "-m", "torchtutor.cli", "doctor", str(script)], _cli_env())
        finally:
            os._exit(127)
    try:
        seen = _wait_for(fd, b"training", 120)
        assert b"training" in seen, seen
        time.sleep(0.3)
        os.write(fd, b"\x03")                       # Ctrl-C: the terminal signals its whole foreground group
        seen += _wait_for(fd, b"\x00never", 20)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = re.sub(r"\x1b\[[0-9;]*m", "", seen.decode(errors="replace"))      # the report's colours
    assert os.waitstatus_to_exitcode(status) == 130, text
    assert text.count("the script saw KeyboardInterrupt") == 1, text
    assert "interrupted by Ctrl-C (SIGINT)" in " ".join(text.split()) and "Traceback" not in text


def test_doctor_help_documents_stdin_signals_and_exit_codes(tt, home) -> None:
    res = tt("doctor", "--help")
    assert res.code == 0
    text = " ".join(res.out.split())
    for words in ("reads the doctor's stdin", "Ctrl-C (SIGINT) and SIGTERM are passed on to the script",
                  "130 interrupted by Ctrl-C", "143 by SIGTERM", "summary.interrupted"):
        assert words in text, (words, text)

"""Tests for torchtutor.progress: round trips, status logic, migrations, recovery,
durability under SIGKILL and concurrent writers.

Subprocesses import the package from this checkout's ``src/`` (via PYTHONPATH), so the
tests do not depend on how torchtutor was installed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from torchtutor.progress import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Attempt,
    Evidence,
    Migration,
    ProgressError,
    ProgressStore,
    QuizAnswer,
    code_hash,
)
from torchtutor.progress import store as store_module

SRC = Path(__file__).resolve().parents[1] / "src"


def _env() -> dict[str, str]:
    """Environment for a subprocess that imports torchtutor from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")]))
    return env


def _run_python(code: str, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ws" / ".torchtutor" / "progress.sqlite3"


@pytest.fixture
def store(db: Path):
    with ProgressStore(db) as s:
        yield s


def _table_count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# ------------------------------------------------------------------ round trips


def test_creates_parent_dir_wal_and_version(db: Path) -> None:
    assert not db.parent.exists()
    with ProgressStore(db) as s:
        assert db.is_file()
        assert s.schema_version == SCHEMA_VERSION == len(store_module.MIGRATIONS)
        assert s.recovered_from is None and s.notice is None
        s.record_attempt("a", True, {}, "h")
        raw = sqlite3.connect(db)
        try:
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        finally:
            raw.close()


def test_attempt_round_trip(store: ProgressStore) -> None:
    verdict = {
        "id": "autograd/accumulation-trap",
        "passed": False,
        "summary": "loss.backward() got a tensor of shape [8]",
        "details": ["reduce with .mean()", "ünïcödé"],
        "duration_ms": 12.5,
        "failure": None,
    }
    digest = code_hash("x = 1\n")
    assert digest == hashlib.sha256(b"x = 1\n").hexdigest() == code_hash(b"x = 1\n")
    assert store.last_attempt("autograd/accumulation-trap") is None
    store.record_attempt("autograd/accumulation-trap", False, verdict, digest)
    store.record_attempt("autograd/accumulation-trap", True, {"passed": True}, "h2")
    store.record_attempt("tensors/create", False, {}, "h3")

    last = store.last_attempt("autograd/accumulation-trap")
    assert isinstance(last, Attempt)
    assert (last.exercise_id, last.passed, last.verdict, last.code_hash) == (
        "autograd/accumulation-trap", True, {"passed": True}, "h2")

    mine = store.attempts("autograd/accumulation-trap")
    assert [a.passed for a in mine] == [False, True]
    assert mine[0].verdict == verdict and mine[0].code_hash == digest
    assert mine[0].when.tzinfo is not None and mine[0].when.utcoffset().total_seconds() == 0
    assert mine[0].when <= mine[1].when
    assert [a.exercise_id for a in store.attempts()] == [
        "autograd/accumulation-trap", "autograd/accumulation-trap", "tensors/create"]
    assert store.attempts("nope") == []


def test_verdict_values_json_cannot_hold_are_kept_as_text(store: ProgressStore) -> None:
    store.record_attempt("e", False, {"file": Path("/w/e.py"), "shape": (8, 2)}, "h")
    assert store.last_attempt("e").verdict == {"file": "/w/e.py", "shape": [8, 2]}
    with pytest.raises(TypeError):
        store.record_attempt("e", False, "not a dict", "h")  # type: ignore[arg-type]


def test_status_logic(store: ProgressStore) -> None:
    assert store.status("e1") == "pending"
    assert store.statuses() == {}
    store.record_attempt("e1", False, {}, "h")
    assert store.status("e1") == "failing"
    store.record_attempt("e1", True, {}, "h")
    assert store.status("e1") == "done"
    store.record_attempt("e1", False, {}, "h")  # once passed, stays done
    assert store.status("e1") == "done"
    store.record_attempt("e2", False, {}, "h")
    store.record_hint("e3", 0)  # hints alone do not make an exercise attempted
    assert store.statuses() == {"e1": "done", "e2": "failing"}
    assert store.status("e3") == "pending"


def test_hints_and_solutions(store: ProgressStore) -> None:
    assert store.hints_revealed("e") == 0
    store.record_hint("e", 0)
    assert store.hints_revealed("e") == 1
    store.record_hint("e", 2)
    store.record_hint("e", 1)  # revealing a lower rung again does not close the ladder
    assert store.hints_revealed("e") == 3
    assert store.hints_revealed("other") == 0
    with pytest.raises(ValueError):
        store.record_hint("e", -1)

    assert store.solution_revealed("e") is False
    store.record_solution("e")
    store.record_solution("e")
    assert store.solution_revealed("e") is True
    assert store.solution_revealed("other") is False


def test_quiz_answers_round_trip(store: ProgressStore) -> None:
    store.record_quiz_answer("c1", "autograd", "b", True)
    store.record_quiz_answer("c2", "autograd", "it leaks memory", None, self_mark="partly")
    store.record_quiz_answer("c3", "tensors", "a", False)
    answers = store.quiz_answers("autograd")
    assert all(isinstance(a, QuizAnswer) for a in answers)
    assert [(a.check_id, a.lesson, a.answer, a.correct, a.self_mark) for a in answers] == [
        ("c1", "autograd", "b", True, None),
        ("c2", "autograd", "it leaks memory", None, "partly"),
    ]
    assert [a.check_id for a in store.quiz_answers()] == ["c1", "c2", "c3"]
    assert store.quiz_answers("tensors")[0].correct is False
    assert store.quiz_answers("none") == []


def test_concept_evidence_round_trip(store: ProgressStore) -> None:
    assert store.concept_evidence() == {}
    store.record_concept_evidence("broadcasting", "exercise", "tensors/broadcast", True)
    store.record_concept_evidence("autograd", "check", "c1", False)
    store.record_concept_evidence("broadcasting", "check", "c7", False)
    evidence = store.concept_evidence()
    assert set(evidence) == {"broadcasting", "autograd"}
    assert all(isinstance(e, Evidence) for items in evidence.values() for e in items)
    assert [(e.source_kind, e.source_id, e.passed) for e in evidence["broadcasting"]] == [
        ("exercise", "tensors/broadcast", True), ("check", "c7", False)]
    assert evidence["autograd"][0].concept == "autograd"
    with pytest.raises(ValueError):
        store.record_concept_evidence("x", "lecture", "l1", True)


def test_closed_store_raises_progress_error(db: Path) -> None:
    s = ProgressStore(db)
    s.close()
    s.close()  # twice is fine
    assert s.closed
    with pytest.raises(ProgressError, match="closed"):
        s.record_solution("e")


# ------------------------------------------------------------------- migrations


def test_reopen_keeps_data_and_version(db: Path) -> None:
    with ProgressStore(db) as s:
        s.record_attempt("e", True, {"k": 1}, "h")
        s.record_quiz_answer("c", "l", "a", None, "ok")
    with ProgressStore(db) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.status("e") == "done" and s.last_attempt("e").verdict == {"k": 1}
        assert s.quiz_answers()[0].self_mark == "ok"


def test_a_database_with_tables_that_are_not_ours_is_refused_untouched(db: Path) -> None:
    """A plain SQLite file (application_id 0) holding another program's table is not ours:
    refused with one paragraph, and not one byte of it changes."""
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE notes (text TEXT)")
    raw.execute("INSERT INTO notes VALUES ('keep me')")
    raw.commit()
    raw.close()
    before = db.read_bytes()
    with pytest.raises(ProgressError) as info:
        ProgressStore(db)
    message = str(info.value)
    assert str(db) in message and "another program" in message and "notes" in message and "\n" not in message
    assert db.read_bytes() == before
    assert not db.with_name(db.name + "-wal").exists()


def test_an_empty_sqlite_file_becomes_ours(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    with ProgressStore(db) as s:
        assert s.schema_version == SCHEMA_VERSION
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    finally:
        raw.close()


NEXT = SCHEMA_VERSION + 1  # a test-only migration comes after the real ones


def _v2_add_column(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE attempts ADD COLUMN duration_ms REAL")
    conn.execute("UPDATE attempts SET duration_ms = 0")


def test_older_database_is_migrated_forward(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written by this release is carried to a (test-only) next version in one step."""
    with ProgressStore(db) as s:
        s.record_attempt("e", True, {"a": 1}, "h")
    monkeypatch.setattr(
        store_module, "MIGRATIONS",
        store_module.MIGRATIONS + (Migration(NEXT, "attempt durations", _v2_add_column),))
    with ProgressStore(db) as s:
        assert s.schema_version == NEXT
        assert s.last_attempt("e").verdict == {"a": 1}
        s.record_attempt("e", False, {}, "h")
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == NEXT
        assert raw.execute("SELECT duration_ms FROM attempts ORDER BY id").fetchall() == [(0.0,), (None,)]
    finally:
        raw.close()


def test_failed_migration_changes_nothing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ProgressStore(db) as s:
        s.record_attempt("e", True, {}, "h")

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS + (Migration(NEXT, "broken", broken),))
    with pytest.raises(ProgressError) as info:
        ProgressStore(db)
    message = str(info.value)
    assert str(db) in message and f"version {SCHEMA_VERSION} to {NEXT}" in message and "boom" in message
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []
        assert raw.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1
    finally:
        raw.close()


def test_newer_database_is_refused_and_left_untouched(db: Path) -> None:
    with ProgressStore(db) as s:
        s.record_attempt("e", True, {}, "h")
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    before = db.read_bytes()
    with pytest.raises(ProgressError) as info:
        ProgressStore(db)
    message = str(info.value)
    assert str(db) in message and "newer torchtutor" in message and "pip install --upgrade" in message
    assert "\n" not in message
    assert db.read_bytes() == before
    assert list(db.parent.glob("*.corrupt-*")) == []


def test_foreign_sqlite_file_is_refused(db: Path) -> None:
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA application_id = 42")
    raw.execute("CREATE TABLE t (x)")
    raw.commit()
    raw.close()
    before = db.read_bytes()
    with pytest.raises(ProgressError, match="not a torchtutor progress database"):
        ProgressStore(db)
    assert db.read_bytes() == before


def test_unopenable_path_is_a_progress_error_not_a_recovery(db: Path) -> None:
    db.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(ProgressError) as info:
        ProgressStore(db)
    assert str(db) in str(info.value)
    assert db.is_dir() and list(db.parent.glob("*.corrupt-*")) == []


# --------------------------------------------------------------------- recovery


def _valid_db_bytes(tmp_path: Path) -> bytes:
    """The bytes of a closed (checkpointed) store with enough rows to span many pages."""
    path = tmp_path / "donor" / "progress.sqlite3"
    with ProgressStore(path) as s:
        for i in range(40):
            s.record_attempt(f"e{i}", i % 2 == 0, {"summary": "x" * 3000}, "h")
    return path.read_bytes()


@pytest.mark.parametrize("damage", ["random", "text", "truncated-header", "truncated-half"])
def test_corrupt_database_is_moved_aside(tmp_path: Path, db: Path, damage: str) -> None:
    db.parent.mkdir(parents=True)
    if damage == "random":
        content = os.urandom(16384)
    elif damage == "text":
        content = b"this is not a database\n" * 20
    else:
        good = _valid_db_bytes(tmp_path)
        content = good[:60] if damage == "truncated-header" else good[: len(good) // 2]
    db.write_bytes(content)
    wal = db.with_name(db.name + "-wal")
    wal.write_bytes(b"stale wal")

    with ProgressStore(db) as s:
        backup = s.recovered_from
        assert backup is not None and backup.is_file()
        assert backup.parent == db.parent and backup.name.startswith("progress.sqlite3.corrupt-")
        assert backup.read_bytes() == content
        assert backup.with_name(backup.name + "-wal").read_bytes() == b"stale wal"
        assert s.notice is not None and str(db) in s.notice and str(backup) in s.notice
        assert "\n" not in s.notice
        assert s.schema_version == SCHEMA_VERSION
        s.record_attempt("e", True, {}, "h")
        assert s.status("e") == "done"
    with ProgressStore(db) as s:  # the fresh file is healthy: no second recovery
        assert s.recovered_from is None and s.status("e") == "done"


def test_garbage_wal_beside_a_healthy_database_is_not_a_recovery(db: Path) -> None:
    with ProgressStore(db) as s:
        s.record_attempt("e", True, {}, "h")
    db.with_name(db.name + "-wal").write_bytes(os.urandom(5000))
    with ProgressStore(db) as s:
        assert s.recovered_from is None and s.status("e") == "done"


def test_concurrent_openers_of_a_corrupt_file_recover_once(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(os.urandom(8192))
    code = """
        import sys
        from torchtutor.progress import ProgressStore
        with ProgressStore(sys.argv[1]) as s:
            for i in range(20):
                s.record_attempt(f"{sys.argv[2]}-{i}", True, {}, "h")
    """
    procs = [
        subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(db), tag], env=_env(),
                         stderr=subprocess.PIPE, text=True)
        for tag in ("a", "b", "c")
    ]
    for p in procs:
        _, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
    assert len([p for p in db.parent.glob("progress.sqlite3.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]) == 1
    with ProgressStore(db) as s:
        assert len(s.attempts()) == 60


# ------------------------------------------------------------------- durability

_WRITER = """
    import sys
    from torchtutor.progress import ProgressStore
    store = ProgressStore(sys.argv[1])
    i = 0
    while True:
        store.record_attempt(f"ex{i}", i % 3 == 0, {"i": i, "pad": "p" * 200}, f"hash{i}")
        print(i, flush=True)
        i += 1
"""


def test_sigkill_loses_no_committed_attempt(db: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_WRITER), str(db)],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reported: list[int] = []
    try:
        deadline = time.monotonic() + 20
        while len(reported) < 150 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            reported.append(int(line))
        proc.send_signal(signal.SIGKILL)
        rest, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    reported += [int(x) for x in rest.split()]
    assert proc.returncode == -signal.SIGKILL
    assert len(reported) >= 150, err

    with ProgressStore(db) as s:
        assert s.recovered_from is None
        stored = {a.exercise_id: a for a in s.attempts()}
    for i in reported:
        attempt = stored[f"ex{i}"]
        assert attempt.verdict["i"] == i and attempt.code_hash == f"hash{i}" and attempt.passed == (i % 3 == 0)
    # At most the one write in flight at the kill was committed without being reported.
    assert len(stored) - len(reported) in (0, 1)


# ------------------------------------------------------------------ concurrency


def test_two_processes_write_without_losing_rows(db: Path) -> None:
    ProgressStore(db).close()  # create it, so both writers race on writes, not creation
    code = """
        import sys
        from torchtutor.progress import ProgressStore
        with ProgressStore(sys.argv[1]) as s:
            for i in range(150):
                s.record_attempt(f"{sys.argv[2]}-{i}", False, {"i": i}, "h")
                s.record_hint(f"{sys.argv[2]}-{i}", 0)
    """
    procs = [
        subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(db), tag], env=_env(),
                         stderr=subprocess.PIPE, text=True)
        for tag in ("watcher", "cli")
    ]
    # The main process reads while they write: WAL readers are never blocked.
    with ProgressStore(db) as reader:
        while any(p.poll() is None for p in procs):
            reader.statuses()
            time.sleep(0.005)
    for p in procs:
        _, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
    with ProgressStore(db) as s:
        ids = [a.exercise_id for a in s.attempts()]
        assert len(ids) == 300 and len(set(ids)) == 300
        assert s.hints_revealed("watcher-149") == 1 and s.hints_revealed("cli-0") == 1


def test_threads_share_a_store_and_a_file(db: Path) -> None:
    shared = ProgressStore(db)
    other = ProgressStore(db)  # a second connection in the same process
    errors: list[BaseException] = []

    def work(s: ProgressStore, tag: str) -> None:
        try:
            for i in range(60):
                s.record_attempt(f"{tag}-{i}", i % 2 == 0, {}, "h")
                s.status(f"{tag}-{i}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(shared, f"t{n}")) for n in range(4)]
    threads.append(threading.Thread(target=work, args=(other, "other")))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert len(shared.attempts()) == 300
    assert shared.statuses()["t3-0"] == "done" and other.status("t3-1") == "failing"
    shared.close()
    other.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_gets_its_own_connection(store: ProgressStore) -> None:
    store.record_attempt("parent-before", True, {}, "h")
    pid = os.fork()
    if pid == 0:  # child: must not touch the parent's connection
        code = 1
        try:
            store.record_attempt("child", True, {}, "h")
            store.close()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    store.record_attempt("parent-after", False, {}, "h")
    assert [a.exercise_id for a in store.attempts()] == ["parent-before", "child", "parent-after"]


def test_importing_progress_does_not_import_torch() -> None:
    result = _run_python("""
        import sys
        import torchtutor.progress
        assert "torch" not in sys.modules, "torchtutor.progress imported torch"
    """)
    assert result.returncode == 0, result.stderr


def test_a_version_1_file_gains_the_resets_table(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    with ProgressStore(db) as s:
        assert s.schema_version == 1
        s.record_attempt("e", False, {"failure": "x"}, "h")
        s.record_hint("e", 0)
    monkeypatch.undo()
    with ProgressStore(db) as s:
        assert s.schema_version == SCHEMA_VERSION >= 2
        assert s.last_reset("e") is None and s.hints_since("e") == 1
        s.record_reset("e")
        reset = s.last_reset("e")
        assert reset is not None and s.hints_since("e", reset) == 0
        s.record_hint("e", 0)
        assert s.hints_since("e", reset) == 1 and s.hints_since("e") == 2
        assert s.status("e") == "failing"

"""The progress store: one SQLite file per workspace, at ``.torchtutor/progress.sqlite3``.

What it records
    attempts            every check of an exercise: when, passed or not, the verdict
                        (as a JSON object) and the sha256 of the learner's file
    hints               each hint rung revealed (0-based) for an exercise
    resets              each time an exercise was reset to its starter
    solutions           each time a solution was revealed
    quiz_answers        a learner's answer to a lesson check; ``correct`` is NULL for
                        self-marked transfer questions, whose mark is ``self_mark``
    concept_evidence    one piece of evidence about a concept, from an exercise or a check

Design
    * Stdlib :mod:`sqlite3` only; this module never imports torch, so the CLI, the web
      reader and the notebook front end can open it cheaply.
    * The schema is versioned through ``PRAGMA user_version`` and an ordered list of
      :data:`MIGRATIONS`. Opening an older file migrates it forward inside one
      ``BEGIN IMMEDIATE`` transaction: it either reaches the latest version or stays
      exactly as it was. A file written by a *newer* torchtutor is refused with a
      :class:`ProgressError` and left untouched. ``PRAGMA application_id`` marks the
      file as torchtutor's, so another program's SQLite file is refused too.
    * Durability. The journal is WAL and every write is its own committed transaction,
      so a process killed with SIGKILL (the watcher, a CLI command, a Jupyter kernel)
      loses nothing that :meth:`ProgressStore.record_attempt` and friends already
      returned from. ``synchronous=FULL`` is chosen over ``NORMAL``: in WAL mode NORMAL
      is already safe against a process kill, but a commit may be rolled back by a
      power cut or an OS crash (a laptop whose battery dies). Writes here happen at
      human pace (one per save, hint or answer), so the extra fsync per commit costs
      nothing a learner can notice, and FULL makes a returned write survive that too.
    * Concurrency. A watcher and a CLI command may write at the same time: WAL lets
      readers run beside the writer, and a busy timeout of :data:`BUSY_TIMEOUT_S`
      seconds makes a writer wait for the other's (millisecond-long) transaction
      instead of failing. Within one process, a store may be shared between threads:
      it holds one connection opened with ``check_same_thread=False`` and serialises
      every use of it with a lock.
    * Corruption. A file that SQLite reports as not a database or as malformed (garbage
      bytes, a truncated copy, a failed ``PRAGMA integrity_check``) is moved aside, with
      its ``-wal``/``-shm`` companions, to ``progress.sqlite3.corrupt-<UTC time>``; a
      fresh store is created in its place and :attr:`ProgressStore.notice` says so in
      one paragraph. Opening takes an advisory lock (``progress.sqlite3.lock``) so
      that two processes opening a damaged file at once replace it only once. A
      process that still holds a connection to a file that went bad while it was open
      should be restarted: SQLite's rules forbid replacing a file under a live
      connection, and the recovery cannot reach into another process.
    * Errors. Every other failure (permissions, a full disk, a lock held too long, a
      file from a newer torchtutor) becomes a :class:`ProgressError` whose message is
      one paragraph naming the file and what to do. No sqlite3 exception escapes the
      public methods.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "APPLICATION_ID",
    "Attempt",
    "BUSY_TIMEOUT_S",
    "Evidence",
    "MIGRATIONS",
    "Migration",
    "ProgressError",
    "ProgressStore",
    "QuizAnswer",
    "SCHEMA_VERSION",
    "code_hash",
]

#: How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 10.0

#: ``PRAGMA application_id`` of a torchtutor progress file: "TTpg" as a big-endian int.
APPLICATION_ID = int.from_bytes(b"TTpg", "big")

#: Where sqlite's result codes put the primary code (extended codes add high bits).
_PRIMARY_CODE_MASK = 0xFF
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_PERM = 3
_SQLITE_NOTADB = 26

#: Files SQLite may keep beside the database; they travel with it when it is moved aside.
_SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")

_SOURCE_KINDS = ("exercise", "check")

#: How a notice names the rows it carried over from a damaged file.
_PLAIN_NAMES = {"attempts": "checks of exercises", "hints": "hints shown", "solutions": "solutions revealed",
                "quiz_answers": "quiz answers", "concept_evidence": "pieces of concept evidence",
                "resets": "resets"}

#: Connections inherited across ``fork()``. A child must neither use nor close them (the
#: parent still owns their locks), so they are parked here, alive, for the child's life.
_INHERITED_CONNECTIONS: list[sqlite3.Connection] = []


class ProgressError(Exception):
    """The progress database could not be used.

    The message is one paragraph meant for the learner: it names the file and says what
    to do. Front ends print it as it is; they never need the traceback.
    """

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class _Corrupt(Exception):
    """Internal: the file at the store's path is not a readable SQLite database.

    ``conn`` is the connection that found out, still open: closing it lets SQLite
    delete the ``-wal`` and ``-shm`` files, which must be copied to the backup first.
    """

    def __init__(self, reason: str, conn: sqlite3.Connection | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.conn = conn


# --------------------------------------------------------------------------- records


def _utc_now() -> str:
    """The current UTC time as ISO 8601 with microseconds, e.g. ``2024-05-01T12:00:00.000001+00:00``."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _parse_time(text: str) -> datetime:
    """Parse a stored ISO 8601 time back into an aware :class:`datetime`."""
    return datetime.fromisoformat(text)


def code_hash(source: bytes | str) -> str:
    """The ``code_hash`` recorded with an attempt: the hex sha256 of the learner's file.

    Text is encoded as UTF-8 first, so hashing the file's bytes and hashing its decoded
    text give the same answer for a UTF-8 file.
    """
    data = source.encode("utf-8") if isinstance(source, str) else source
    return hashlib.sha256(data).hexdigest()


class _Timed:
    """A record stamped with ``time``, UTC ISO 8601 text; :attr:`when` parses it."""

    __slots__ = ()
    time: str

    @property
    def when(self) -> datetime:
        """:attr:`time` as an aware UTC :class:`datetime`."""
        return _parse_time(self.time)


@dataclass(frozen=True, slots=True)
class Attempt(_Timed):
    """One check of one exercise, as recorded.

    ``time`` is UTC ISO 8601 text (JSON-ready); :attr:`when` parses it. ``verdict`` is
    the dict that was recorded, read back from its JSON.
    """

    exercise_id: str
    time: str
    passed: bool
    verdict: dict[str, Any]
    code_hash: str


@dataclass(frozen=True, slots=True)
class QuizAnswer(_Timed):
    """A learner's answer to one lesson check.

    ``correct`` is None for a self-marked (transfer) question; the learner's own mark
    is then in ``self_mark``.
    """

    check_id: str
    lesson: str
    answer: str
    correct: bool | None
    self_mark: str | None
    time: str


@dataclass(frozen=True, slots=True)
class Evidence(_Timed):
    """One piece of evidence that a concept was (or was not) mastered.

    ``source_kind`` is ``'exercise'`` or ``'check'`` and ``source_id`` the id of that
    exercise or check.
    """

    concept: str
    source_kind: str
    source_id: str
    passed: bool
    time: str


# ------------------------------------------------------------------------ migrations


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``apply`` takes the file from ``version - 1`` to ``version``.

    ``apply`` runs inside the caller's transaction and must not commit; it should use
    ``conn.execute`` only (``executescript`` would commit behind the caller's back).
    """

    version: int
    summary: str
    apply: Callable[[sqlite3.Connection], None]


_V1_STATEMENTS = (
    """CREATE TABLE attempts (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise_id TEXT    NOT NULL,
        time        TEXT    NOT NULL,
        passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
        verdict     TEXT    NOT NULL,
        code_hash   TEXT    NOT NULL
    )""",
    "CREATE INDEX attempts_by_exercise ON attempts (exercise_id, id)",
    """CREATE TABLE hints (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise_id TEXT    NOT NULL,
        rung        INTEGER NOT NULL CHECK (rung >= 0),
        time        TEXT    NOT NULL
    )""",
    "CREATE INDEX hints_by_exercise ON hints (exercise_id)",
    """CREATE TABLE solutions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise_id TEXT    NOT NULL,
        time        TEXT    NOT NULL
    )""",
    "CREATE INDEX solutions_by_exercise ON solutions (exercise_id)",
    """CREATE TABLE quiz_answers (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        check_id    TEXT    NOT NULL,
        lesson      TEXT    NOT NULL,
        answer      TEXT    NOT NULL,
        correct     INTEGER CHECK (correct IS NULL OR correct IN (0, 1)),
        self_mark   TEXT,
        time        TEXT    NOT NULL
    )""",
    "CREATE INDEX quiz_answers_by_lesson ON quiz_answers (lesson, id)",
    """CREATE TABLE concept_evidence (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        concept     TEXT    NOT NULL,
        source_kind TEXT    NOT NULL CHECK (source_kind IN ('exercise', 'check')),
        source_id   TEXT    NOT NULL,
        passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
        time        TEXT    NOT NULL
    )""",
)


def _migrate_v1(conn: sqlite3.Connection) -> None:
    """Version 1: create every table and its indexes."""
    for statement in _V1_STATEMENTS:
        conn.execute(statement)


def _migrate_v2(conn: sqlite3.Connection) -> None:
    """Version 2: exercise resets, so that the hint ladder can start again after one."""
    conn.execute("""CREATE TABLE resets (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise_id TEXT    NOT NULL,
        time        TEXT    NOT NULL
    )""")
    conn.execute("CREATE INDEX resets_by_exercise ON resets (exercise_id, id)")


def _migrate_v3(conn: sqlite3.Connection) -> None:
    """Version 3: notices for the learner (a recovered database), shown once, kept until acknowledged."""
    conn.execute("""CREATE TABLE notices (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        kind         TEXT    NOT NULL,
        text         TEXT    NOT NULL,
        time         TEXT    NOT NULL,
        shown        INTEGER NOT NULL DEFAULT 0 CHECK (shown IN (0, 1)),
        acknowledged INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1))
    )""")


#: The schema's history, oldest first. Version N is ``MIGRATIONS[N - 1]``; a new
#: version is added by appending a :class:`Migration`, never by editing an old one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "attempts, hints, solutions, quiz answers, concept evidence", _migrate_v1),
    Migration(2, "exercise resets", _migrate_v2),
    Migration(3, "notices for the learner", _migrate_v3),
)

#: The schema version this torchtutor writes.
SCHEMA_VERSION = len(MIGRATIONS)

#: Every table some migration creates; a file with application_id 0 holding any other
#: table belongs to another program and is refused.
OWN_TABLES = ("attempts", "hints", "solutions", "quiz_answers", "concept_evidence", "resets", "notices")


def _check_migrations(migrations: Sequence[Migration]) -> None:
    """Refuse a migration list that is not numbered 1, 2, 3, ... (a programming error)."""
    for index, migration in enumerate(migrations, start=1):
        if migration.version != index:
            raise RuntimeError(
                f"torchtutor.progress: migration #{index} is numbered {migration.version}; "
                "migrations must be numbered 1, 2, 3, ... in order"
            )


# ----------------------------------------------------------------------------- store


@contextmanager
def _open_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``<db>.lock`` while a store opens.

    Opening checks the file and, when it is damaged, replaces it. Two processes opening
    a damaged file at once (a watcher and a command started together) must not both
    replace it: the second would move aside the fresh file the first just created. The
    lock serialises opening only (a few milliseconds); reads and writes never take it.
    Where ``fcntl`` does not exist (Windows), or the lock file cannot be created (a
    read-only folder, where nothing could be replaced anyway), opening runs unlocked.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = open(lock_path, "a+b")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _lenient_text(data: bytes) -> str:
    """TEXT as str. A damaged byte inside a row (which no integrity check notices) shows as
    U+FFFD in that one value, instead of making every read of the table fail."""
    return data.decode("utf-8", "replace")


def _primary_code(exc: sqlite3.Error) -> int | None:
    """The primary SQLite result code of an exception, or None when it carries none."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & _PRIMARY_CODE_MASK


def _is_corruption(exc: sqlite3.Error) -> bool:
    """True when SQLite says the file is not a database or its contents are malformed."""
    code = _primary_code(exc)
    if code is not None:
        return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def _readable_rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    """Every row of ``table`` that can still be read from a damaged file, in rowid order. A
    damaged page stops a scan; the scan then jumps ahead (1, 2, 4, ... rowids past the last
    good one) until it reads again, so rows after the damage are kept too."""
    select = f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid > ? ORDER BY rowid"
    rows: list[tuple[Any, ...]] = []
    last, jump = -1, 0
    while jump <= 1 << 24:
        try:
            cursor = conn.execute(select, (last + jump,))
            for row in cursor:
                rows.append(tuple(row[1:]))
                last, jump = row[0], 0
            return rows
        except (sqlite3.Error, UnicodeDecodeError):   # sqlite's message may quote the damaged bytes
            jump = max(1, jump * 2)
    return rows


class ProgressStore:
    """A workspace's progress: attempts, hints, solutions, quiz answers, concept evidence.

    ``ProgressStore(path)`` creates the parent folder, opens (or creates) the database,
    switches it to WAL, checks it, and migrates it to :data:`SCHEMA_VERSION`. It raises
    :class:`ProgressError` when the file cannot be used (written by a newer torchtutor,
    another program's database, no permission, ...). A corrupt file is not an error:
    it is moved aside, a fresh store is opened, and :attr:`recovered_from` and
    :attr:`notice` say so; front ends should show :attr:`notice` to the learner.

    Every ``record_*`` call is its own committed transaction. The store may be shared by
    threads of one process; other processes open their own store on the same path. It
    is also a context manager that closes itself.

    Attributes:
        path: the database file, made absolute.
        recovered_from: where a corrupt database found at :attr:`path` was moved to
            (the backup that now holds the old, unreadable data), or None.
        notice: one paragraph for the learner when that happened, else None.
        schema_version: the schema version of the open file.
    """

    path: Path
    recovered_from: Path | None
    notice: str | None
    schema_version: int

    def __init__(self, path: Path | str) -> None:
        # Absolute, so that messages name the file unambiguously and a later chdir (or a
        # reopen after fork) still finds the same file.
        self.path = Path(path).expanduser().absolute()
        self.recovered_from = None
        self.notice = None
        self.schema_version = 0
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProgressError(
                f"torchtutor could not create the folder {self.path.parent} for its progress "
                f"database ({exc.strerror or exc}). Check that the workspace is on a writable "
                "disk and that you may write to it, then run the command again.",
                self.path,
            ) from exc
        self._conn = self._open()

    # ------------------------------------------------------------------ opening

    def _open(self) -> sqlite3.Connection:
        """Open the file, replacing it once if it is damaged; returns a ready connection."""
        with _open_lock(self.path):
            try:
                return self._connect_and_prepare()
            except _Corrupt as damaged:
                return self._recover(damaged)

    def _recover(self, damaged: _Corrupt) -> sqlite3.Connection:
        """Move the damaged file aside, open a fresh one and set :attr:`notice`.

        The files are copied to the backup while the connection that found the damage
        is still open (closing it would let SQLite delete the ``-wal``), then that
        connection is closed and the originals removed.
        """
        try:
            backup = self._copy_aside()
        finally:
            if damaged.conn is not None:
                try:
                    damaged.conn.close()
                except sqlite3.Error:
                    pass  # closing a connection to a damaged file may complain; it is closed
        self._remove_damaged(backup)
        try:
            conn = self._connect_and_prepare()
        except _Corrupt as again:
            # The fresh file cannot be read either: the problem is the disk, not the data.
            if again.conn is not None:
                again.conn.close()
            raise ProgressError(
                f"torchtutor moved the damaged progress database {self.path} aside to {backup}, "
                f"but a fresh one at the same path cannot be used either ({again.reason}). "
                f"Check the disk and the folder {self.path.parent}, then run the command again.",
                self.path,
            ) from None
        self.recovered_from = backup
        kept = self._salvage(backup, conn)
        if kept:
            what = ", ".join(f"{n} {_PLAIN_NAMES.get(table, table)}" for table, n in kept.items())
            outcome = (f"Part of it could still be read, and that part was carried over into a fresh "
                       f"database at {self.path}: {what}. Anything else recorded before now is not shown.")
        else:
            outcome = (f"Nothing in it could be read, so torchtutor started a fresh, empty one at {self.path}; "
                       "progress recorded before now is not shown (your exercise files are untouched).")
        self.notice = (
            f"Your progress database was damaged ({damaged.reason}). torchtutor moved it aside to "
            f"{backup}. {outcome} The backup is kept as it was: to try to rescue more, open it with the "
            "sqlite3 command-line tool and run `.recover`."
        )
        self._record_notice(conn, "recovered", self.notice)
        return conn

    @staticmethod
    def _salvage(backup: Path, conn: sqlite3.Connection) -> dict[str, int]:
        """Copy every row that can still be read from the damaged copy into the fresh file;
        returns how many rows of each table were kept (tables with none left out)."""
        kept: dict[str, int] = {}
        try:
            old = sqlite3.connect(f"file:{backup}?mode=ro&immutable=1", uri=True)
        except sqlite3.Error:
            return kept
        old.text_factory = _lenient_text
        try:
            for table in [t for t in OWN_TABLES if t != "notices"]:   # notices describe the old file
                columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] != "id"]
                rows = _readable_rows(old, table, columns)
                if not rows:
                    continue
                marks = ", ".join("?" for _ in columns)
                try:
                    with conn:
                        conn.execute("BEGIN IMMEDIATE")
                        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
                except sqlite3.Error:
                    continue                                  # rows that break a constraint are not progress
                kept[table] = len(rows)
        finally:
            old.close()
        return kept

    @staticmethod
    def _record_notice(conn: sqlite3.Connection, kind: str, text: str) -> None:
        try:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO notices (kind, text, time) VALUES (?, ?, ?)", (kind, text, _utc_now()))
        except sqlite3.Error:
            pass  # the notice is still in self.notice for this process

    def _connect_and_prepare(self) -> sqlite3.Connection:
        """Connect, check the file, set the pragmas and migrate it.

        Raises :class:`_Corrupt` when the file's contents are unreadable and
        :class:`ProgressError` for everything else that stops the store from opening.
        """
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
                check_same_thread=False,  # shared between threads under self._lock
            )
        except sqlite3.Error as exc:
            raise self._error(exc, "open") from exc
        conn.text_factory = _lenient_text
        try:
            self._prepare(conn)
        except _Corrupt as damaged:
            damaged.conn = conn  # left open for _recover; see _Corrupt
            raise
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Check the open file's identity, version and integrity; set pragmas; migrate."""
        migrations = MIGRATIONS
        _check_migrations(migrations)
        latest = len(migrations)
        try:
            # Reading the header is the first thing that fails on garbage bytes.
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id not in (0, APPLICATION_ID):
                raise ProgressError(
                    f"{self.path} is an SQLite database, but not a torchtutor progress database "
                    f"(its application id is {app_id:#x}). torchtutor left it untouched. Move it "
                    "elsewhere, or start torchtutor in another folder.",
                    self.path,
                )
            if app_id == 0:
                foreign = self._foreign_tables(conn)
                # torchtutor sets the version in the transaction that creates its tables, so a file
                # with tables and no version was made by someone else, even with our table names
                unversioned = self._foreign_tables(conn, ours=()) if not foreign and version == 0 else []
                tables = foreign or unversioned
                if tables:
                    shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
                    what = (f"another program made (it holds tables torchtutor never creates: {shown})" if foreign
                            else f"torchtutor did not make (it holds tables, {shown}, but no torchtutor schema version)")
                    raise ProgressError(
                        f"{self.path} is an SQLite database that {what}. torchtutor left it untouched and wrote "
                        "nothing to it. Move that file elsewhere, or start torchtutor in another folder.",
                        self.path,
                    )
            if version > latest:
                raise ProgressError(
                    f"The progress database {self.path} was written by a newer torchtutor "
                    f"(schema version {version}; this torchtutor understands up to version "
                    f"{latest}). It was left untouched. Upgrade torchtutor "
                    "(`pip install --upgrade torchtutor`) to keep using this workspace.",
                    self.path,
                )
            # integrity_check, not quick_check: it also finds an index that no longer matches its
            # table (lookups by exercise would return wrong rows), and costs the same here (~40 ms
            # for 10,000 attempts). Its report can quote damaged bytes that are not UTF-8.
            try:
                problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
            except UnicodeDecodeError:
                problems = ["the integrity check's report is itself unreadable"]
            if problems != ["ok"]:
                raise _Corrupt(f"integrity check: {'; '.join(problems[:3])}")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ProgressError(
                    f"torchtutor could not switch its progress database {self.path} to WAL mode "
                    f"(SQLite kept '{mode}'); the folder is probably on a network or read-only "
                    "file system. Start torchtutor in a folder on a local disk.",
                    self.path,
                )
            conn.execute("PRAGMA synchronous=FULL")
            if version < latest:
                self._migrate(conn, migrations)
            self.schema_version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            if _is_corruption(exc):
                raise _Corrupt(str(exc)) from exc
            raise self._error(exc, "open") from exc

    @staticmethod
    def _foreign_tables(conn: sqlite3.Connection, ours: Sequence[str] = OWN_TABLES) -> list[str]:
        """Tables in the file that no migration of torchtutor creates (SQLite's own excepted);
        with ``ours=()``, every table."""
        ours = set(ours)
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                            "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
        return [name for (name,) in rows if name not in ours]

    def _migrate(self, conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
        """Apply every pending migration in one transaction, or none of them.

        The version is re-read after ``BEGIN IMMEDIATE`` takes the write lock, so two
        processes opening an old file at once migrate it once.
        """
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            for migration in migrations[current:]:
                try:
                    migration.apply(conn)
                except Exception as exc:
                    if isinstance(exc, sqlite3.Error) and _is_corruption(exc):
                        raise
                    raise ProgressError(
                        f"torchtutor could not upgrade the progress database {self.path} from "
                        f"schema version {current} to {migration.version} "
                        f"({migration.summary}): {exc}. Nothing was changed; the file is still "
                        f"at version {current}. If it was edited by hand, move it aside and "
                        "torchtutor will start a fresh one.",
                        self.path,
                    ) from exc
            # PRAGMA values cannot be bound parameters; both are ints we control.
            conn.execute(f"PRAGMA user_version = {int(len(migrations))}")
            conn.execute(f"PRAGMA application_id = {int(APPLICATION_ID)}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _copy_aside(self) -> Path:
        """Copy the damaged file and its companions to ``<name>.corrupt-<UTC time>[-wal|-shm]``."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        counter = 2
        while backup.exists():
            backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
            counter += 1
        try:
            shutil.copyfile(self.path, backup)
            for suffix in _SIDECAR_SUFFIXES:
                sidecar = self.path.with_name(self.path.name + suffix)
                if sidecar.exists():
                    shutil.copyfile(sidecar, backup.with_name(backup.name + suffix))
        except OSError as exc:
            raise ProgressError(
                f"The progress database {self.path} is damaged and torchtutor could not move it "
                f"aside to {backup} ({exc.strerror or exc}). Move or delete it yourself, then "
                "run the command again; torchtutor will start a fresh one.",
                self.path,
            ) from exc
        return backup

    def _remove_damaged(self, backup: Path) -> None:
        """Delete the damaged file and its companions, once :meth:`_copy_aside` saved them."""
        for name in (self.path.name, *(self.path.name + suffix for suffix in _SIDECAR_SUFFIXES)):
            try:
                os.remove(self.path.with_name(name))
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise ProgressError(
                    f"The progress database {self.path} is damaged. torchtutor saved a copy at "
                    f"{backup} but could not remove the damaged file ({exc.strerror or exc}). "
                    "Delete it yourself, then run the command again; torchtutor will start a "
                    "fresh one.",
                    self.path,
                ) from exc

    def _error(self, exc: sqlite3.Error, action: str) -> ProgressError:
        """Turn a sqlite3 exception into a one-paragraph :class:`ProgressError`."""
        code = _primary_code(exc)
        where = f"the progress database {self.path}"
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
            text = (
                f"torchtutor could not {action} {where}: another process kept it locked for "
                f"more than {BUSY_TIMEOUT_S:g} seconds. Stop other torchtutor commands or "
                "watchers on this workspace, then try again."
            )
        elif code == _SQLITE_FULL:
            text = (
                f"torchtutor could not {action} {where}: the disk is full. Free some space, "
                "then try again."
            )
        elif code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM, _SQLITE_IOERR):
            text = (
                f"torchtutor could not {action} {where} ({exc}). Check that it is a file (not "
                f"a folder), that you may read and write it and the folder {self.path.parent}, "
                "and that the disk is working, then try again."
            )
        elif _is_corruption(exc):
            text = (
                f"{where[0].upper()}{where[1:]} became damaged while torchtutor was using it "
                f"({exc}). Run the command again: on opening, torchtutor moves a damaged file "
                "aside and starts a fresh one."
            )
        else:
            text = (
                f"torchtutor could not {action} {where} ({exc}). If this keeps happening, move "
                "the file aside and torchtutor will start a fresh one."
            )
        return ProgressError(text, self.path)

    # --------------------------------------------------------------- plumbing

    def _connection(self) -> sqlite3.Connection:
        """The open connection; call with ``self._lock`` held."""
        if self._conn is None:
            raise ProgressError(
                f"The progress store for {self.path} was already closed; open a new "
                "ProgressStore to use it again.",
                self.path,
            )
        return self._conn

    def _after_fork(self) -> None:
        """In a forked child, drop the parent's connection and lock and open our own.

        SQLite connections must not cross ``fork()``: the parent still holds their file
        locks. The inherited connection is parked (never used, never closed) and a new
        one is opened for the child.
        """
        if os.getpid() == self._pid:
            return
        self._pid = os.getpid()
        self._lock = threading.RLock()  # the parent's may have been held at fork time
        if self._conn is not None:
            _INHERITED_CONNECTIONS.append(self._conn)
            self._conn = self._open()

    @contextmanager
    def _locked(self, action: str) -> Iterator[sqlite3.Connection]:
        """Hold the lock and translate sqlite3 errors raised inside into ProgressError."""
        self._after_fork()
        with self._lock:
            conn = self._connection()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise self._error(exc, action) from exc

    def _write(self, sql: str, params: Sequence[Any]) -> None:
        """Run one INSERT as its own committed transaction."""
        with self._locked("write to") as conn:
            if conn.in_transaction:  # a COMMIT that failed earlier left one open
                conn.execute("ROLLBACK")
            # isolation_level=None: the connection never begins transactions by itself.
            # BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy
            # timeout); `with conn` commits on success and rolls back on any exception.
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(sql, params)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one SELECT and return all its rows."""
        with self._locked("read") as conn:
            return conn.execute(sql, params).fetchall()

    @staticmethod
    def _text(name: str, value: str) -> str:
        """Validate that an id-like argument is a non-empty string."""
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        return value

    @staticmethod
    def _verdict_json(verdict: dict[str, Any]) -> str:
        """Serialise a verdict dict; values JSON cannot hold (a Path, a tensor shape) become text.

        Losing an attempt because one value in its verdict was not JSON would be worse
        than recording that value as its ``str()``.
        """
        if not isinstance(verdict, dict):
            raise TypeError(f"verdict must be a dict, got {type(verdict).__name__}")
        return json.dumps(verdict, default=str, ensure_ascii=False)

    @staticmethod
    def _verdict_from_json(text: str) -> dict[str, Any]:
        """Parse a stored verdict; text that is not a JSON object comes back as ``{'raw': text}``."""
        try:
            value = json.loads(text)
        except (TypeError, ValueError):
            return {"raw": text}
        return value if isinstance(value, dict) else {"raw": text}

    # ------------------------------------------------------------------ writes

    def record_attempt(self, exercise_id: str, passed: bool, verdict: dict[str, Any], code_hash: str) -> None:
        """Record one check of ``exercise_id``: its outcome, verdict and the file's sha256."""
        self._write(
            "INSERT INTO attempts (exercise_id, time, passed, verdict, code_hash) VALUES (?, ?, ?, ?, ?)",
            (
                self._text("exercise_id", exercise_id),
                _utc_now(),
                int(bool(passed)),
                self._verdict_json(verdict),
                str(code_hash),
            ),
        )

    def record_hint(self, exercise_id: str, rung: int) -> None:
        """Record that hint rung ``rung`` (0-based) of ``exercise_id`` was revealed."""
        if isinstance(rung, bool) or not isinstance(rung, int) or rung < 0:
            raise ValueError(f"rung must be an int >= 0, got {rung!r}")
        self._write(
            "INSERT INTO hints (exercise_id, rung, time) VALUES (?, ?, ?)",
            (self._text("exercise_id", exercise_id), rung, _utc_now()),
        )

    def record_reset(self, exercise_id: str) -> None:
        """Record that ``exercise_id`` was reset to its starter."""
        self._write(
            "INSERT INTO resets (exercise_id, time) VALUES (?, ?)",
            (self._text("exercise_id", exercise_id), _utc_now()),
        )

    def record_solution(self, exercise_id: str) -> None:
        """Record that the solution of ``exercise_id`` was revealed."""
        self._write(
            "INSERT INTO solutions (exercise_id, time) VALUES (?, ?)",
            (self._text("exercise_id", exercise_id), _utc_now()),
        )

    def record_quiz_answer(
        self,
        check_id: str,
        lesson: str,
        answer: str,
        correct: bool | None,
        self_mark: str | None = None,
    ) -> None:
        """Record an answer to a lesson check.

        ``correct`` is None for a self-marked transfer question, whose mark (e.g.
        ``'got it'``) goes in ``self_mark``.
        """
        self._write(
            "INSERT INTO quiz_answers (check_id, lesson, answer, correct, self_mark, time) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                self._text("check_id", check_id),
                self._text("lesson", lesson),
                str(answer),
                None if correct is None else int(bool(correct)),
                None if self_mark is None else str(self_mark),
                _utc_now(),
            ),
        )

    def record_concept_evidence(self, concept: str, source_kind: str, source_id: str, passed: bool) -> None:
        """Record evidence about ``concept`` from an exercise or a check (``source_kind``)."""
        if source_kind not in _SOURCE_KINDS:
            raise ValueError(f"source_kind must be 'exercise' or 'check', got {source_kind!r}")
        self._write(
            "INSERT INTO concept_evidence (concept, source_kind, source_id, passed, time) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                self._text("concept", concept),
                source_kind,
                self._text("source_id", source_id),
                int(bool(passed)),
                _utc_now(),
            ),
        )

    # ------------------------------------------------------------------- reads

    def _attempt(self, row: tuple[Any, ...]) -> Attempt:
        """Build an :class:`Attempt` from ``(exercise_id, time, passed, verdict, code_hash)``."""
        exercise_id, time, passed, verdict, hash_ = row
        return Attempt(exercise_id, time, bool(passed), self._verdict_from_json(verdict), hash_)

    def last_attempt(self, exercise_id: str) -> Attempt | None:
        """The most recent attempt at ``exercise_id``, or None if it was never checked."""
        rows = self._read(
            "SELECT exercise_id, time, passed, verdict, code_hash FROM attempts "
            "WHERE exercise_id = ? ORDER BY id DESC LIMIT 1",
            (exercise_id,),
        )
        return self._attempt(rows[0]) if rows else None

    def attempts(self, exercise_id: str | None = None) -> list[Attempt]:
        """Attempts in the order they were committed, for one exercise or for all."""
        rows = self._in_order("SELECT exercise_id, time, passed, verdict, code_hash FROM attempts",
                              "exercise_id", exercise_id)
        return [self._attempt(row) for row in rows]

    def _in_order(self, select: str, column: str, value: str | None) -> list[tuple[Any, ...]]:
        """The rows of ``select`` in the order they were committed; only those whose ``column``
        is ``value`` unless ``value`` is None."""
        if value is None:
            return self._read(select + " ORDER BY id")
        return self._read(f"{select} WHERE {column} = ? ORDER BY id", (value,))

    def status(self, exercise_id: str) -> str:
        """``'pending'`` (never checked), ``'done'`` (passed at least once) or ``'failing'``."""
        row = self._read("SELECT MAX(passed) FROM attempts WHERE exercise_id = ?", (exercise_id,))[0]
        if row[0] is None:
            return "pending"
        return "done" if row[0] else "failing"

    def statuses(self) -> dict[str, str]:
        """``{exercise_id: 'done' | 'failing'}`` for every exercise with an attempt."""
        rows = self._read("SELECT exercise_id, MAX(passed) FROM attempts GROUP BY exercise_id ORDER BY exercise_id")
        return {exercise_id: ("done" if best else "failing") for exercise_id, best in rows}

    def hints_revealed(self, exercise_id: str) -> int:
        """How many rungs of the hint ladder are open: highest rung revealed + 1, or 0."""
        row = self._read("SELECT MAX(rung) FROM hints WHERE exercise_id = ?", (exercise_id,))[0]
        return 0 if row[0] is None else int(row[0]) + 1

    def hints_since(self, exercise_id: str, since: str | None = None) -> int:
        """How many hints of ``exercise_id`` were revealed after the time ``since`` (all when None)."""
        if since is None:
            return int(self._read("SELECT COUNT(*) FROM hints WHERE exercise_id = ?", (exercise_id,))[0][0])
        return int(self._read("SELECT COUNT(*) FROM hints WHERE exercise_id = ? AND time > ?",
                              (exercise_id, since))[0][0])

    def last_reset(self, exercise_id: str) -> str | None:
        """When ``exercise_id`` was last reset (UTC ISO 8601 text), or None."""
        row = self._read("SELECT MAX(time) FROM resets WHERE exercise_id = ?", (exercise_id,))[0]
        return row[0]

    def notices(self, *, unshown: bool = False) -> list[tuple[int, str]]:
        """``(id, text)`` of the notices not yet acknowledged (with ``unshown``: not yet shown either)."""
        sql = "SELECT id, text FROM notices WHERE acknowledged = 0" + (" AND shown = 0" if unshown else "")
        return [(int(i), t) for i, t in self._read(sql + " ORDER BY id")]

    def mark_notices(self, ids: Sequence[int], *, acknowledged: bool = False) -> None:
        """Mark notices as shown (printed once) or, with ``acknowledged``, as dismissed."""
        column = "acknowledged" if acknowledged else "shown"
        for notice_id in ids:
            self._write(f"UPDATE notices SET {column} = 1, shown = 1 WHERE id = ?", (int(notice_id),))

    def solution_revealed(self, exercise_id: str) -> bool:
        """Whether the solution of ``exercise_id`` was ever revealed."""
        return bool(self._read("SELECT 1 FROM solutions WHERE exercise_id = ? LIMIT 1", (exercise_id,)))

    def quiz_answers(self, lesson: str | None = None) -> list[QuizAnswer]:
        """Quiz answers in the order they were given, for one lesson or for all."""
        rows = self._in_order("SELECT check_id, lesson, answer, correct, self_mark, time FROM quiz_answers",
                              "lesson", lesson)
        return [
            QuizAnswer(check_id, lesson_, answer, None if correct is None else bool(correct), self_mark, time)
            for check_id, lesson_, answer, correct, self_mark, time in rows
        ]

    def concept_evidence(self) -> dict[str, list[Evidence]]:
        """``{concept: [Evidence, ...]}``, each list in the order the evidence was recorded."""
        result: dict[str, list[Evidence]] = {}
        rows = self._read("SELECT concept, source_kind, source_id, passed, time FROM concept_evidence ORDER BY id")
        for concept, source_kind, source_id, passed, time in rows:
            result.setdefault(concept, []).append(Evidence(concept, source_kind, source_id, bool(passed), time))
        return result

    # ---------------------------------------------------------------- lifetime

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._conn is None

    def close(self) -> None:
        """Close the connection. Safe to call twice; later calls to other methods raise."""
        if os.getpid() != self._pid:
            # A forked child must not close the parent's connection; park it instead.
            if self._conn is not None:
                _INHERITED_CONNECTIONS.append(self._conn)
                self._conn = None
            return
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    conn.close()
                except sqlite3.Error as exc:
                    raise self._error(exc, "close") from exc

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"schema v{self.schema_version}"
        return f"ProgressStore({str(self.path)!r}, {state})"

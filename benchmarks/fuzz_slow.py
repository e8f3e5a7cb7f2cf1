"""The slow half of the fuzz suite (issue 14, item 9); the fast half is tests/test_fuzz.py.

Each section runs many random cases and prints how many passed and failed, then the
failures (first five of each section). Exit status 1 when any case failed.

    python benchmarks/fuzz_slow.py                 # every section, default counts (~15 min on 2 cores)
    python benchmarks/fuzz_slow.py --scale 0.2     # a fifth of each count
    python benchmarks/fuzz_slow.py --only kill9 --only database --seed 7

Sections:
  kill9        `torchtutor check` killed with SIGKILL at a random moment (before the worker,
               mid-check, while recording): the store stays consistent, no attempt is lost, and
               no process the check started outlives it by more than a second.
  concurrency  parallel `torchtutor check` and `hint` processes on one workspace: every
               attempt and hint is kept and the integrity check says ok.
  database     random damage to a filled progress database (pages of noise, truncation,
               flipped header bytes, zeroed pages): it opens, or is refused in one
               paragraph; never another exception; a recovered file keeps a byte-exact
               backup and says so.
  learner      random learner files (noise, random text, mixed encodings, solutions cut at
               random): every check gives a verdict with a failure tag, never a crash.
  course       a random byte of a random course file changed: every command exits 0, 1 or 2
               with no traceback, and never writes into the course.
  args         random command lines from the real commands, options and junk: exit 0, 1 or 2,
               never 3, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

from torchtutor import cli as cli_module  # noqa: E402
from torchtutor.progress import ProgressError, ProgressStore  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "mini_course"
SOLUTION = (FIXTURE / "basics/one/solutions/add_two.py").read_text()
EXERCISE = "9.1.1-one/01_add_two.py"
TAG = "TORCHTUTOR_FUZZ_TAG"


class Section:
    def __init__(self, name: str):
        self.name = name
        self.passed = 0
        self.failed: list[str] = []

    def case(self, label: str, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as exc:  # the harness's own trouble is a failure too, never hidden
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.failed.append(f"{label}: {type(exc).__name__}: {exc} "
                               f"[{Path(where.filename).name}:{where.lineno} {where.line}]"[:700])
        else:
            self.passed += 1

    def report(self) -> None:
        print(f"{self.name:<12} passed {self.passed:4d}  failed {len(self.failed):4d}", flush=True)
        for line in self.failed[:5]:
            print(f"    FAILED {line}")


# --------------------------------------------------------------------------- helpers
def env(extra: dict | None = None) -> dict:
    out = {k: v for k, v in os.environ.items() if k not in ("TORCHTUTOR_WORKSPACE", "TORCHTUTOR_DATA")}
    out.update({"TORCHTUTOR_COURSE": str(FIXTURE), "PYTHONPATH": str(SRC), "COLUMNS": "200"})
    out.update(extra or {})
    return out


def tt(*args: str, cwd: Path, extra: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "torchtutor.cli", *args], cwd=cwd, env=env(extra),
                          capture_output=True, text=True, timeout=timeout)


def in_process(args: list[str], cwd: Path, extra: dict | None = None) -> tuple[int, str]:
    """``torchtutor ARGS`` through the real entry point in this process: (exit status, all output)."""
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    wanted = env(extra)
    os.environ.clear()
    os.environ.update(wanted)
    os.chdir(cwd)
    sys.argv = ["torchtutor", *args]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            cli_module.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        gc.collect()
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.argv = saved_argv
    return code, out.getvalue() + err.getvalue()


def new_workspace(base: Path, name: str) -> Path:
    proc = tt("start", name, "--no-browser", "--no-watch", cwd=base)
    assert proc.returncode == 0, proc.stderr
    return base / name


def db_of(ws: Path) -> Path:
    return ws / ".torchtutor" / "progress.sqlite3"


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def count(db: Path, table: str = "attempts") -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def tagged(tag: str) -> list[int]:
    """Processes whose environment carries ``tag`` (a check and everything it started)."""
    needle = f"{TAG}={tag}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle in fh.read().split(b"\0"):
                    with open(f"/proc/{entry}/stat") as st:
                        if st.read().rsplit(")", 1)[1].split()[0] != "Z":
                            found.append(int(entry))
        except OSError:
            continue
    return found


def no_crash(text: str) -> None:
    assert "Traceback" not in text and "internal error" not in text, text[-800:]


# --------------------------------------------------------------------------- sections
def kill9(section: Section, rng: random.Random, n: int, base: Path) -> None:
    ws = new_workspace(base, "kill9")
    (ws / EXERCISE).write_text(SOLUTION)
    assert tt("-w", str(ws), "check", "one/add-two", cwd=base).returncode == 0
    slow = "import time\ntime.sleep(%s)\ntotal = 5\n"
    for i in range(n):
        def one() -> None:
            before = count(db_of(ws))
            (ws / EXERCISE).write_text(slow % rng.choice(["0", "0.2", "1", "5"]))
            tag = uuid.uuid4().hex
            proc = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "-w", str(ws), "check", "one/add-two"],
                                    cwd=base, env=env({TAG: tag}), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, 4.0))
            finished = proc.poll() is not None
            proc.kill()
            proc.wait(30)
            deadline = time.monotonic() + 1.0
            while tagged(tag) and time.monotonic() < deadline:
                time.sleep(0.05)
            left = tagged(tag)
            for pid in left:              # do not let one failure slow the next cases
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            assert not left, f"{len(left)} process(es) outlived the killed check by more than 1 s"
            assert integrity(db_of(ws)) == "ok"
            after = count(db_of(ws))
            assert after in (before, before + 1), (before, after)
            assert not finished or after == before + 1, "a check that finished lost its attempt"
            listed = tt("-w", str(ws), "progress", "--json", cwd=base)
            assert listed.returncode == 0 and json.loads(listed.stdout)["notices"] == [], listed.stderr
        section.case(f"kill -9 #{i}", one)


def concurrency(section: Section, rng: random.Random, rounds: int, base: Path, parallel: int = 8) -> None:
    ws = new_workspace(base, "concurrency")
    (ws / EXERCISE).write_text(SOLUTION)
    for r in range(rounds):
        def one() -> None:
            attempts, hints = count(db_of(ws)), count(db_of(ws), "hints")
            procs = []
            for k in range(parallel):
                args = ["check", "one/add-two"] if k % 2 == 0 else ["hint", "one/add-two"]
                procs.append(subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "-w", str(ws), *args], cwd=base,
                                              env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            for p in procs:
                out, err = p.communicate(timeout=300)
                no_crash(out + err)
                assert p.returncode == 0, err
            checks = (parallel + 1) // 2
            assert count(db_of(ws)) == attempts + checks, (count(db_of(ws)), attempts + checks)
            assert count(db_of(ws), "hints") == hints + parallel - checks
            assert integrity(db_of(ws)) == "ok"
        section.case(f"{parallel} at once, round {r}", one)


def _fill(db: Path) -> bytes:
    with ProgressStore(db) as store:
        for i in range(200):
            store.record_attempt("one/add-two", i % 3 == 0, {"summary": "x" * 150}, f"{i:064d}")
            if i % 10 == 0:
                store.record_hint("one/add-two", 1)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db.read_bytes()


def _damage(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    data = bytearray(data)
    pages = max(1, len(data) // 4096)
    kind = rng.choice(["noise page", "zero page", "truncate", "scatter", "header byte", "append noise"])
    if kind in ("noise page", "zero page"):
        p = rng.randrange(pages)
        data[p * 4096:(p + 1) * 4096] = os.urandom(4096) if kind == "noise page" else bytes(4096)
    elif kind == "truncate":
        data = data[:rng.randrange(len(data))]
    elif kind == "scatter":
        for _ in range(rng.randint(1, 50)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "header byte":
        data[rng.randrange(100)] ^= 1 << rng.randrange(8)
    else:
        data += os.urandom(rng.randint(1, 9000))
    return kind, bytes(data)


def database(section: Section, rng: random.Random, n: int, base: Path) -> None:
    good = _fill(base / "good.sqlite3")
    for i in range(n):
        kind, damaged = _damage(rng, good)

        def one() -> None:
            folder = base / f"db{i}"
            folder.mkdir()
            db = folder / "progress.sqlite3"
            db.write_bytes(damaged)
            try:
                store = ProgressStore(db)
            except ProgressError as exc:
                text = str(exc)
                assert "\n" not in text and str(db) in text, text
                return
            with store:
                kept = len(store.attempts())
                assert kept <= 200
                if store.recovered_from is not None:
                    assert store.recovered_from.read_bytes() == damaged, "the backup is not the file as found"
                    assert store.notice and str(store.recovered_from) in store.notice
                store.record_attempt("one/add-two", True, {"summary": "after"}, "h")
                assert len(store.attempts()) == kept + 1
            assert integrity(db) == "ok"
        section.case(f"#{i} {kind}", one)


def _random_source(rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["noise", "printable", "unicode", "latin-1 comment", "cut solution", "nul", "deep nesting"])
    if kind == "noise":
        return kind, os.urandom(rng.randint(1, 5000))
    if kind == "printable":
        return kind, "".join(rng.choice("abc xyz=+-*/()[]{}:\n\t'\"#0123456789") for _ in range(rng.randint(1, 3000))).encode()
    if kind == "unicode":
        text = "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(1, 500)))
        return kind, text.encode(rng.choice(["utf-8", "utf-16", "utf-32"]), "surrogatepass")
    if kind == "latin-1 comment":
        return kind, f"# {rng.choice(['café', 'naïve', 'Müller', 'señor'])}\n{SOLUTION}".encode("latin-1")
    if kind == "cut solution":
        return kind, SOLUTION.encode()[:rng.randint(0, len(SOLUTION))]
    if kind == "nul":
        data = bytearray(SOLUTION.encode())
        data.insert(rng.randrange(len(data) + 1), 0)
        return kind, bytes(data)
    return kind, ("total = " + "(" * rng.randint(50, 2000) + "5" + ")" * rng.randint(0, 2000) + "\n").encode()


def learner(section: Section, rng: random.Random, n: int, base: Path) -> None:
    from torchtutor.curriculum import load_or_raise
    from torchtutor.runner import Runner
    from torchtutor.workspace import Workspace

    ws, _ = Workspace.create(base / "learner", load_or_raise(FIXTURE))
    lesson, ex = ws.resolve("one/add-two")
    path = ws.exercise_path(lesson, ex)
    with Runner() as runner:
        for i in range(n):
            kind, data = _random_source(rng)

            def one() -> None:
                path.write_bytes(data)
                started = time.monotonic()
                verdict = ws.check(lesson, ex, runner)
                took = time.monotonic() - started
                no_crash(verdict.summary + " ".join(verdict.details))
                assert verdict.passed or verdict.failure, verdict.to_dict()
                assert "UnicodeDecodeError" not in verdict.summary, verdict.summary
                assert took < 30, f"{took:.1f} s"
                assert path.read_bytes() == data, "the learner's file was changed"
            section.case(f"#{i} {kind}", one)
    ws.close()


@contextlib.contextmanager
def warm_runner():
    """The CLI's ``check`` uses one warm runner for the whole section (as `torchtutor serve` would)."""
    from torchtutor.runner import Runner

    runner = Runner()

    class Kept:
        def __enter__(self):
            return runner

        def __exit__(self, *exc):
            return False

    original = cli_module._runner
    cli_module._runner = Kept
    try:
        yield
    finally:
        cli_module._runner = original
        runner.close()


def course(section: Section, rng: random.Random, n: int, base: Path) -> None:
    files = [p for p in FIXTURE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    ws = new_workspace(base, "course-ws")
    with warm_runner():
        _course(section, rng, n, base, files, ws)


def _course(section: Section, rng: random.Random, n: int, base: Path, files: list[Path], ws: Path) -> None:
    for i in range(n):
        target = rng.choice(files)
        rel = target.relative_to(FIXTURE)

        def one() -> None:
            copy = base / f"course{i}"
            shutil.copytree(FIXTURE, copy)
            data = bytearray((copy / rel).read_bytes())
            if data and rng.random() < 0.8:
                data[rng.randrange(len(data))] = rng.randrange(256)
            else:
                data = bytearray(os.urandom(rng.randint(0, 200)))
            (copy / rel).write_bytes(bytes(data))
            before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
            for args in (["-w", str(ws), "list"], ["-w", str(ws), "lesson", "one"], ["-w", str(ws), "check", "one/add-two"],
                         ["curriculum", "lint"]):
                code, text = in_process(args, base, {"TORCHTUTOR_COURSE": str(copy)})
                no_crash(text)
                assert code in (0, 1, 2), (args, code, text[-500:])
            after = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
            assert after == before, "a command wrote into the course"
            shutil.rmtree(copy)
        section.case(f"#{i} {rel}", one)


WORDS = ["start", "list", "check", "hint", "reset", "progress", "lesson", "quiz", "doctor", "curriculum", "lint",
         "plan", "data", "fetch", "solution", "--json", "--workspace", "-w", "--help", "--port", "--no-browser",
         "--no-watch", "--max-seconds", "one/add-two", "two/times", "9.1", "one", "-1", "0", "nan", "1e309", "",
         "--", "../..", "/", "/dev/null", "\udcff", "é", "x" * 300, "-", "--frob", "mnist"]


def args(section: Section, rng: random.Random, n: int, base: Path) -> None:
    ws = new_workspace(base, "args-ws")
    (ws / EXERCISE).write_text(SOLUTION)
    for i in range(n):
        line = [rng.choice(WORDS) for _ in range(rng.randint(1, 5))]
        if line[0] in ("start", "doctor") or "--help" in line:
            line = ["list" if line[0] == "start" else line[0], *line[1:]]   # no server, no script run
        if line[0] == "doctor":
            line = ["doctor", "--max-seconds", "abc", *line[1:]]             # always a usage error, no child

        def one() -> None:
            code, text = in_process(line, ws)
            no_crash(text)
            assert code in (0, 1, 2), (line, code, text[-500:])
        section.case(" ".join(repr(w)[:20] for w in line), one)


SECTIONS = {"kill9": (kill9, 15), "concurrency": (concurrency, 4), "database": (database, 200),
            "learner": (learner, 150), "course": (course, 60), "args": (args, 300)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=list(SECTIONS), help="run only this section (repeatable)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every section's count (default 1)")
    parser.add_argument("--seed", type=int, default=14, help="random seed (default 14)")
    opts = parser.parse_args()
    rng = random.Random(opts.seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="torchtutor-fuzz-") as tmp:
        os.environ["HOME"] = tmp                     # crash logs, caches: never the real home
        for name in opts.only or list(SECTIONS):
            fn, n = SECTIONS[name]
            section = Section(name)
            folder = Path(tmp) / name
            folder.mkdir()
            started = time.monotonic()
            try:
                fn(section, rng, max(1, round(n * opts.scale)), folder)
            except Exception as exc:              # a section that could not even set up
                section.failed.append(f"setup: {type(exc).__name__}: {exc}")
            section.report()
            print(f"{'':<12} ({time.monotonic() - started:.0f} s)", flush=True)
            results.append(section)
        crash = Path(tmp) / ".cache" / "torchtutor" / "crash.log"
        if crash.exists():
            print("torchtutor wrote a crash log:\n" + crash.read_text()[-2000:])
            results.append(Section("crash-log"))
            results[-1].failed.append("crash.log written")
    total_pass = sum(s.passed for s in results)
    total_fail = sum(len(s.failed) for s in results)
    print(f"{'total':<12} passed {total_pass:4d}  failed {total_fail:4d}")
    sys.exit(1 if total_fail else 0)


if __name__ == "__main__":
    main()

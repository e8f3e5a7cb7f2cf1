"""Process lifetimes: how long after Ctrl+C `watch` and `serve` are gone, and how long after a
`kill -9` of `check` its worker and everything below it are gone, against the goal of 1 s.

Each trial starts the real CLI on a copy of the test course, saves an exercise whose code
starts two `sleep` processes (one in a new session) and then sleeps itself, waits until that
code runs, and then:

* Ctrl+C (SIGINT to the process group, as a terminal sends it) to `watch` / `serve`: the time
  until the process has exited;
* `kill -9` of `check`: the time until the worker, the check's child and both sleepers are gone.

The baseline, measured in the same run, is how long a plain interpreter that has imported torch
takes to exit after its last line (what an exit that does nothing special would cost at least).

    python benchmarks/lifetimes.py [--trials 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "tests" / "fixtures" / "mini_course"
GOAL = 1.0
SLEEPER = """\
import pathlib, subprocess, time
subprocess.Popen(["sleep", "47"])
subprocess.Popen(["sleep", "48"], start_new_session=True)
pathlib.Path({marker!r}).write_text("running")
time.sleep(30)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TORCHTUTOR_WORKSPACE"}
    env["TORCHTUTOR_COURSE"] = str(COURSE)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    return env


def _alive(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2:].split()[0] not in ("Z", "X")


def _family(root: int) -> set[int]:
    """``root``'s descendants, and every live `sleep 47` / `sleep 48` (wherever they were re-parented)."""
    parents: dict[int, list[int]] = {}
    found: set[int] = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            text = Path(f"/proc/{name}/stat").read_text()
            argv = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parents.setdefault(int(text[text.rindex(")") + 2:].split()[1]), []).append(int(name))
        if argv[:2] in ([b"sleep", b"47"], [b"sleep", b"48"]):
            found.add(int(name))
    stack = [root]
    while stack:
        for kid in parents.get(stack.pop(), []):
            if kid not in found:
                found.add(kid)
                stack.append(kid)
    return {p for p in found if _alive(p)}


def _wait(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the CLI (is the machine very busy?)")
        time.sleep(0.01)


def _trial(ws: Path, command: list[str]) -> float:
    marker = ws.parent / "running"
    marker.unlink(missing_ok=True)
    target = next(ws.glob("*/*add_two.py"))
    target.write_text("total = 5\n")
    proc = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", *command], cwd=ws, env=_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    if command[0] != "check":
        ready = "Watching" if command[0] == "watch" else "The course is served at"
        _wait(lambda: ready in proc.stdout.readline(), 180)
        if command[0] == "serve":
            _wait(lambda: "libtorch_cpu" in Path(f"/proc/{proc.pid}/maps").read_text(), 180)
        time.sleep(1.0)
    target.write_text(SLEEPER.format(marker=str(marker)))
    _wait(lambda: marker.exists(), 180)
    _wait(lambda: len(_family(proc.pid)) >= 4, 10)
    family = _family(proc.pid)
    started = time.monotonic()
    if command[0] == "check":
        proc.kill()
        proc.wait()
        _wait(lambda: not any(_alive(p) for p in family), 30)
    else:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)
    took = time.monotonic() - started
    for pid in family:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    return took


def _torch_exit() -> float:
    proc = subprocess.Popen([sys.executable, "-c", "import torch; print('done', flush=True)"],
                            stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()
    started = time.monotonic()
    proc.wait()
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3, help="trials per case (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="torchtutor-lifetimes-") as tmp:
        made = subprocess.run([sys.executable, "-m", "torchtutor.cli", "start", "course", "--no-browser",
                               "--no-watch"], cwd=tmp, env=_env(), capture_output=True, text=True)
        if made.returncode != 0:
            print(made.stderr, file=sys.stderr)
            return 1
        ws = Path(tmp) / "course"
        baseline = statistics.median(_torch_exit() for _ in range(args.trials))
        print(f"Process lifetimes (goal: gone within {GOAL:g} s), {args.trials} trials each")
        print(f"  baseline: an interpreter that imported torch exits {baseline * 1000:.0f} ms after its last line")
        worst = 0.0
        for label, command in (("kill -9 of check, until its processes are gone", ["check", "one/add-two"]),
                               ("Ctrl+C of watch mid-check, until it exited", ["watch"]),
                               ("Ctrl+C of serve mid-check, until it exited",
                                ["serve", "--no-browser", "--port", "0"])):
            times = [_trial(ws, command) for _ in range(args.trials)]
            worst = max(worst, max(times))
            print(f"  {label}: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                  f"(ratio max / goal = {max(times) / GOAL:.2f}; / baseline = {max(times) / baseline:.2f})")
        shutil.rmtree(ws, ignore_errors=True)
    print(f"  worst case {worst * 1000:.0f} ms: goal {'met' if worst <= GOAL else 'NOT met'}")
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())

"""Robustness tests for the runner: whatever the learner's code does, the verdict says
so in plain words and the same Runner answers the next check correctly.

The check target is the runner's self-test target (runs the learner file, then an
optional ``check(run)``), so these tests do not depend on the course or the harness.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from torchtutor.checks.verdict import Verdict
from torchtutor.runner import STOPPED, CheckRequest, Runner, run_once
from torchtutor.runner._selftest import TARGET

GOOD = """\
import torch
x = torch.arange(6).reshape(2, 3)
print("sum", int(x.sum()))
"""


@pytest.fixture(scope="module")
def runner():
    with Runner() as r:
        r.start()
        yield r


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text)
    return str(path)


def request(learner_file: str, checker_file: str = "", **kwargs) -> CheckRequest:
    return CheckRequest(
        exercise_id="test/" + Path(learner_file).stem,
        learner_file=learner_file,
        checker_file=checker_file,
        target=TARGET,
        **kwargs,
    )


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgid) read straight from /proc (independent of runner.procs)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[2])


def _all_stats() -> dict[int, tuple[str, int, int]]:
    stats = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (info := _proc_stat(int(name))) is not None:
            stats[int(name)] = info
    return stats


def group_processes(pgid: int) -> list[int]:
    """Every process (zombies included) whose process group is ``pgid``."""
    return [pid for pid, (_, _, group) in _all_stats().items() if group == pgid]


def worker_descendants(worker_pid: int) -> list[int]:
    stats = _all_stats()
    found, frontier = [], [worker_pid]
    while frontier:
        parent = frontier.pop()
        kids = [pid for pid, (_, ppid, _) in stats.items() if ppid == parent]
        found += kids
        frontier += kids
    return found


def assert_nothing_left(runner: Runner, pgid: int) -> None:
    """No process of the check's group remains, and the worker has at most its spare."""
    assert group_processes(pgid) == []
    deadline = time.monotonic() + 2.0
    while True:
        below = worker_descendants(runner.worker_pid)
        # The worker may hold one spare child (forked ahead of the next check),
        # which has no children of its own.
        if len(below) <= 1:
            break
        assert time.monotonic() < deadline, f"worker still has descendants {below}"
        time.sleep(0.02)


def assert_healthy(runner: Runner, folder: Path) -> None:
    """The same Runner still gives a correct passing verdict."""
    verdict = runner.run(request(write(folder, "good.py", GOOD)))
    assert verdict.passed, verdict
    assert verdict.summary == "All checks passed."
    assert verdict.failure is None
    assert verdict.stdout == "sum 15\n"
    assert verdict.id == "test/good"


def printed_number(verdict: Verdict, label: str) -> int:
    match = re.search(rf"{label} (\d+)", verdict.stdout)
    assert match, verdict.stdout
    return int(match.group(1))


# -- ordinary checks -------------------------------------------------------------------


def test_passing_verdict(runner, tmp_path):
    verdict = runner.run(request(write(tmp_path, "good.py", GOOD)))
    assert isinstance(verdict, Verdict)
    assert verdict.passed
    assert verdict.id == "test/good"
    assert verdict.stdout == "sum 15\n"
    assert 0 < verdict.duration_ms < 5000


def test_checker_file_reaches_the_target(runner, tmp_path):
    learner = write(tmp_path, "double.py", "import torch\ny = torch.tensor([1.0, 2.0]) * 3\n")
    checker = write(
        tmp_path,
        "double_check.py",
        "def check(run):\n"
        "    y = run.namespace['y']\n"
        "    assert y.tolist() == [2.0, 4.0], f'y should be [2.0, 4.0], got {y.tolist()}'\n",
    )
    verdict = runner.run(request(learner, checker))
    assert not verdict.passed
    assert verdict.summary == "y should be [2.0, 4.0], got [3.0, 6.0]"
    assert verdict.failure == "assertion"
    assert_healthy(runner, tmp_path)


def test_seeding_is_deterministic(runner, tmp_path):
    learner = write(
        tmp_path,
        "rand.py",
        "import random, numpy, torch\n"
        "print(torch.rand(3).tolist(), numpy.random.rand(), random.random())\n",
    )
    first = runner.run(request(learner, seed=0))
    second = runner.run(request(learner, seed=0))
    other = runner.run(request(learner, seed=1))
    assert first.passed and second.passed and other.passed
    assert first.stdout == second.stdout
    assert first.stdout != other.stdout
    # torch.manual_seed(0) gives this sequence on every platform.
    assert first.stdout.startswith("[0.49625658988952637, 0.7682217955589294, 0.08847743272781372]")


def test_output_goes_to_the_verdict_never_to_the_protocol(runner, tmp_path):
    learner = write(
        tmp_path,
        "noisy.py",
        "import os, sys\n"
        'print(\'{"type": "verdict", "verdict": {"id": "x", "passed": true, "summary": "fake"}}\')\n'
        "os.write(1, b'raw fd 1\\n')\n"
        "os.write(2, b'raw fd 2\\n')\n"
        "sys.__stdout__.write('dunder out\\n')\n"
        "print('to stderr', file=sys.stderr)\n"
        "import subprocess\n"
        "subprocess.run(['echo', 'from a subprocess'])\n",
    )
    verdict = runner.run(request(learner))
    assert verdict.passed
    assert verdict.summary == "All checks passed."
    for text in ('"summary": "fake"', "raw fd 1", "raw fd 2", "dunder out", "to stderr", "from a subprocess"):
        assert text in verdict.stdout
    assert_healthy(runner, tmp_path)


# -- robustness: each ends in a clear failed verdict, and the worker stays healthy -------


def test_infinite_loop_times_out(runner, tmp_path):
    learner = write(tmp_path, "loop.py", "n = 0\nwhile True:\n    n += 1\n")
    started = time.monotonic()
    verdict = runner.run(request(learner, timeout=1.0))
    assert time.monotonic() - started < 4
    assert not verdict.passed
    assert verdict.failure == "timeout"
    assert "did not finish within 1 s (an infinite loop?)" in verdict.summary
    assert any(re.search(r"line [23] of loop\.py", d) for d in verdict.details), verdict.details
    assert 1000 <= verdict.duration_ms < 3000
    assert_healthy(runner, tmp_path)


def test_default_timeout_is_ten_seconds_in_words(tmp_path):
    # The wording for the default timeout, without waiting ten seconds for it.
    from torchtutor.runner.outcomes import STOP_TIMEOUT, Ending, verdict_for

    verdict = verdict_for(request(str(tmp_path / "x.py")), Ending(stopped_for=STOP_TIMEOUT))
    assert "did not finish within 10 s (an infinite loop?)" in verdict.summary


def test_memory_hog_is_stopped(runner, tmp_path):
    learner = write(
        tmp_path,
        "hog.py",
        "import os, torch\n"
        "print('pgrp', os.getpgrp(), flush=True)\n"
        "keep = []\n"
        "while True:\n"
        "    keep.append(torch.ones(10_000_000))\n",
    )
    verdict = runner.run(request(learner, memory_mb=300))
    assert not verdict.passed
    assert verdict.failure == "memory-limit"
    assert "used more than 300 MB of memory" in verdict.summary
    assert any("line 5 of hog.py" in d for d in verdict.details), verdict.details
    assert_nothing_left(runner, printed_number(verdict, "pgrp"))
    assert_healthy(runner, tmp_path)


def test_memory_in_a_forked_child_counts_too(runner, tmp_path):
    learner = write(
        tmp_path,
        "hog_child.py",
        "import os, time, torch\n"
        "print('pgrp', os.getpgrp(), flush=True)\n"
        "if os.fork() == 0:\n"
        "    keep = [torch.ones(10_000_000) for _ in range(15)]\n"  # 600 MB in the grandchild
        "    time.sleep(30)\n"
        "os.wait()\n",
    )
    verdict = runner.run(request(learner, memory_mb=300, timeout=5))
    assert verdict.failure == "memory-limit"
    assert "used more than 300 MB of memory" in verdict.summary
    assert_nothing_left(runner, printed_number(verdict, "pgrp"))
    assert_healthy(runner, tmp_path)


def test_segfault_names_the_signal(runner, tmp_path):
    learner = write(tmp_path, "segv.py", "import ctypes\nprint('before the crash')\nctypes.string_at(0)\n")
    verdict = runner.run(request(learner))
    assert not verdict.passed
    assert verdict.failure == "crash"
    assert "segmentation fault" in verdict.summary and "SIGSEGV" in verdict.summary
    assert any("line 3 of segv.py" in d for d in verdict.details), verdict.details
    assert verdict.stdout == "before the crash\n"
    assert_healthy(runner, tmp_path)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import sys\nsys.exit(0)\n", "Your code called sys.exit(0); an exercise file should not exit the process"),
        ("import sys\nsys.exit(3)\n", "Your code called sys.exit(3); an exercise file should not exit the process"),
        ("raise SystemExit\n", "Your code raised SystemExit (sys.exit(), exit() or quit()); an exercise file should not exit"),
    ],
    ids=["sys.exit(0)", "sys.exit(3)", "raise SystemExit"],
)
def test_sys_exit_is_reported(runner, tmp_path, code, expected):
    verdict = runner.run(request(write(tmp_path, "leaver.py", code)))
    assert not verdict.passed
    assert verdict.failure == "sys-exit"
    assert verdict.summary.startswith(expected), verdict.summary
    assert_healthy(runner, tmp_path)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (0, "Your code called os._exit(0), which ends the process on the spot"),
        (5, "Your code ended the process with exit status 5 (os._exit(5)?)"),
    ],
)
def test_os_exit_is_reported(runner, tmp_path, status, expected):
    learner = write(tmp_path, "abrupt.py", f"import os\nprint('bye')\nos._exit({status})\n")
    verdict = runner.run(request(learner))
    assert not verdict.passed
    assert verdict.failure == "os-exit"
    assert verdict.summary.startswith(expected), verdict.summary
    assert verdict.stdout == "bye\n"
    assert_healthy(runner, tmp_path)


def test_keyboard_interrupt_is_reported(runner, tmp_path):
    learner = write(tmp_path, "ctrl_c.py", "def stop():\n    raise KeyboardInterrupt\n\nstop()\n")
    verdict = runner.run(request(learner))
    assert not verdict.passed
    assert verdict.failure == "keyboard-interrupt"
    assert verdict.summary.startswith("Your code raised KeyboardInterrupt")
    assert any("line 2 of ctrl_c.py" in d for d in verdict.details), verdict.details
    assert_healthy(runner, tmp_path)


def test_output_flood_is_cut_off(runner, tmp_path):
    learner = write(tmp_path, "flood.py", "i = 0\nwhile True:\n    print('spam', i)\n    i += 1\n")
    started = time.monotonic()
    verdict = runner.run(request(learner, timeout=10))
    assert time.monotonic() - started < 3  # stopped for the flood, long before the timeout
    assert not verdict.passed
    assert verdict.failure == "output-flood"
    assert "printed more than 64 KB" in verdict.summary
    assert verdict.stdout.startswith("spam 0\nspam 1\n")
    assert verdict.stdout.rstrip().endswith("[output cut off: only the first 64,000 bytes are kept]")
    assert len(verdict.stdout.encode()) <= 64_000 + 100
    assert_healthy(runner, tmp_path)


def test_output_cap_is_per_request(runner, tmp_path):
    learner = write(tmp_path, "chatty.py", "for i in range(2000):\n    print('line', i)\n")
    verdict = runner.run(request(learner, output_cap=5_000))
    assert verdict.failure == "output-flood"
    assert "printed more than 5 KB" in verdict.summary
    assert_healthy(runner, tmp_path)


def test_fork_loop_is_stopped_and_cleaned_up(runner, tmp_path):
    learner = write(
        tmp_path,
        "forks.py",
        "import os\nprint('pgrp', os.getpgrp(), flush=True)\nwhile True:\n    os.fork()\n",
    )
    verdict = runner.run(request(learner, timeout=20))
    assert not verdict.passed
    assert verdict.failure == "fork-loop"
    assert "started more than 32 processes (os.fork() in a loop?)" in verdict.summary
    assert_nothing_left(runner, printed_number(verdict, "pgrp"))
    assert_healthy(runner, tmp_path)


def test_stray_background_process_is_killed(runner, tmp_path):
    learner = write(
        tmp_path,
        "background.py",
        "import os, subprocess\n"
        "p = subprocess.Popen(['sleep', '1000'])\n"
        "print('sleep', p.pid, 'pgrp', os.getpgrp(), flush=True)\n",
    )
    verdict = runner.run(request(learner))
    assert not verdict.passed
    assert verdict.failure == "stray-process"
    assert "left 1 process running after it finished (sleep 1000)" in verdict.summary
    sleep_pid = printed_number(verdict, "sleep")
    assert _proc_stat(sleep_pid) is None, f"sleep {sleep_pid} survived"
    assert_nothing_left(runner, printed_number(verdict, "pgrp"))
    assert_healthy(runner, tmp_path)


def test_process_that_left_the_group_is_killed_too(runner, tmp_path):
    learner = write(
        tmp_path,
        "escape.py",
        "import subprocess\n"
        "p = subprocess.Popen(['sleep', '1000'], start_new_session=True)\n"
        "print('sleep', p.pid, flush=True)\n",
    )
    verdict = runner.run(request(learner))
    assert verdict.failure == "stray-process"
    assert _proc_stat(printed_number(verdict, "sleep")) is None
    assert_healthy(runner, tmp_path)


def test_forked_copy_does_not_report_twice(runner, tmp_path):
    # The copy made by os.fork() runs on through the target; only the original reports.
    learner = write(
        tmp_path,
        "one_fork.py",
        "import os\npid = os.fork()\nif pid:\n    os.waitpid(pid, 0)\nprint('done', os.getpid())\n",
    )
    verdict = runner.run(request(learner))
    assert verdict.passed, verdict
    assert verdict.stdout.count("done") == 2
    assert_healthy(runner, tmp_path)


# -- the runner itself -------------------------------------------------------------------


def test_bad_target_is_a_runner_error_not_an_exception(runner, tmp_path):
    learner = write(tmp_path, "good.py", GOOD)
    verdict = runner.run(
        CheckRequest("test/good", learner, "", target="torchtutor.runner.no_such_module:run")
    )
    assert not verdict.passed
    assert verdict.failure == "runner-error"
    assert "could not run its checker" in verdict.summary
    assert "ModuleNotFoundError" in verdict.summary
    assert_healthy(runner, tmp_path)


def test_worker_is_restarted_after_it_is_killed(runner, tmp_path):
    old = runner.worker_pid
    assert old is not None
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while runner.worker_pid is not None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert_healthy(runner, tmp_path)
    assert runner.worker_pid not in (None, old)


def test_spare_child_killed_while_waiting_is_replaced(runner, tmp_path):
    assert_healthy(runner, tmp_path)
    deadline = time.monotonic() + 5
    while not (spares := worker_descendants(runner.worker_pid)):
        assert time.monotonic() < deadline, "the worker forked no spare child"
        time.sleep(0.02)
    for pid in spares:
        os.kill(pid, signal.SIGKILL)
    assert_healthy(runner, tmp_path)


def test_run_is_thread_safe(runner, tmp_path):
    learner = write(tmp_path, "good.py", GOOD)
    results: list[Verdict] = []

    def check() -> None:
        results.append(runner.run(request(learner)))

    threads = [threading.Thread(target=check) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 4
    assert all(v.passed and v.stdout == "sum 15\n" for v in results)


def test_run_once(tmp_path):
    verdict = run_once(request(write(tmp_path, "good.py", GOOD)))
    assert verdict.passed and verdict.stdout == "sum 15\n"


def test_closed_runner_answers_with_a_verdict(tmp_path):
    r = Runner()
    r.close()
    verdict = r.run(request(write(tmp_path, "good.py", GOOD)))
    # a check asked of a closed Runner was cut short by a shutdown: a failed verdict, not an attempt
    assert not verdict.passed and verdict.failure == STOPPED and "shutting down" in verdict.summary

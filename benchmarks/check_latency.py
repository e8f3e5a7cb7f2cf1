"""Check latency: a warm ``Runner.run`` against a cold ``python exercise.py``.

The learner saves a file and waits for the verdict, so this is the number that
matters. A cold interpreter pays for ``import torch`` on every run; the runner's
worker has paid once and forks a child per check. Both sides run the same learner
file (the warm side also runs its checker). Prints median and p95 of each, and the
ratio warm_median / cold_median against the goal of <= 0.10.

    python benchmarks/check_latency.py [--warm 30] [--cold 5] [--gap 0.2] [--target T]

The headline is the watch-mode series: the benchmark saves the exercise file in a
workspace watched by ``torchtutor watch --json`` and times until the verdict line is
printed (file-system event, debounce, runner, progress store, output).

The warm checks are also measured through ``Runner.run`` alone, twice: spaced ``--gap`` seconds apart, as saves are
(the worker finishes cleaning up after one check and forks the next child between
saves), and back to back, where that work lands on the next check's clock.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from torchtutor.runner import CheckRequest, Runner

# The check target: the real harness. The checker below also works with the runner's
# self-test target (torchtutor.runner._selftest:run_exercise), to time the runner alone.
TARGET = "torchtutor.checks.harness:run_exercise"

LEARNER = '''\
"""Forward pass of a tiny linear layer, by hand and with nn.Linear."""
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(8, 4)
w = torch.randn(4, 3, requires_grad=True)
b = torch.zeros(3, requires_grad=True)
y = x @ w + b
loss = y.pow(2).mean()
loss.backward()

layer = nn.Linear(4, 3)
out = layer(x)
print("loss", round(loss.item(), 4), "grad norm", round(w.grad.norm().item(), 4), tuple(out.shape))
'''

CHECKER = '''\
import torch


def check(run):
    ns = run.namespace
    assert ns["y"].shape == (8, 3), f"y should have shape (8, 3), not {tuple(ns['y'].shape)}"
    assert ns["w"].grad is not None, "w.grad is None: call loss.backward()"
    expected = (ns["x"] @ ns["w"] + ns["b"]).detach()
    assert torch.allclose(ns["y"].detach(), expected)
'''


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def describe(values_ms: list[float]) -> str:
    return f"median {statistics.median(values_ms):8.1f} ms   p95 {percentile(values_ms, 95):8.1f} ms"


def time_warm(runner: Runner, req: CheckRequest, reps: int, gap: float) -> list[float]:
    times = []
    for _ in range(reps):
        if gap:
            time.sleep(gap)
        start = time.perf_counter()
        verdict = runner.run(req)
        times.append((time.perf_counter() - start) * 1000)
        if not verdict.passed:
            raise SystemExit(f"the warm check failed, so its time means nothing: {verdict.summary}")
    return times


def time_cold(learner: Path, reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(learner)], capture_output=True, cwd=learner.parent)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"the cold run failed: {done.stderr.decode(errors='replace')[-500:]}")
    return times


COURSE_FILES = {
    "series.toml": 'number = "9"\ntitle = "Benchmark"\ngoal = "Time the save-to-verdict loop."\nmodules = ["bench"]\n',
    "bench/module.toml": 'number = "9.1"\nslug = "bench"\ntitle = "Bench"\ngoal = "Time it."\nlessons = ["timing"]\n',
    "bench/timing/lesson.toml": """slug = "timing"
number = "9.1.1"
title = "Timing"
type = "BUILD"
summary = "One exercise, timed."

[[concepts]]
name = "Linear forward pass"
depth = "INTRODUCED"

[[exercises]]
id = "linear-forward"
title = "Linear forward"
level = "guided"
concepts = ["Linear forward pass"]
why = "It is the forward pass."
hints = [{ text = "Use @." }]
""",
    "bench/timing/lesson.md": "# Timing\n",
    "bench/timing/exercises/linear_forward.py": LEARNER,
    "bench/timing/solutions/linear_forward.py": LEARNER,
    "bench/timing/checkers/linear_forward.py": CHECKER,
}


def time_watch(folder: Path, reps: int, gap: float) -> list[float]:
    """Save-to-verdict in watch mode: write the file, read the verdict line that
    ``torchtutor watch --json`` prints for it. This is what a learner waits for."""
    course = folder / "course"
    for name, text in COURSE_FILES.items():
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_text(text)
    env = {**os.environ, "TORCHTUTOR_COURSE": str(course)}
    env.pop("TORCHTUTOR_WORKSPACE", None)
    cli = [sys.executable, "-m", "torchtutor.cli"]
    subprocess.run([*cli, "start", str(folder / "ws"), "--no-browser", "--no-watch"], env=env, check=True,
                   capture_output=True)
    target = next((folder / "ws").glob("*/01_linear_forward.py"))
    watcher = subprocess.Popen([*cli, "watch", "--json"], cwd=folder / "ws", env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    times = []
    try:
        time.sleep(4.0)  # the watcher starts its warm worker
        for i in range(reps + 1):
            time.sleep(gap)
            start = time.perf_counter()
            target.write_text(LEARNER + f"# save {i}\n")
            line = watcher.stdout.readline()
            elapsed = (time.perf_counter() - start) * 1000
            if not line:
                raise SystemExit("the watcher stopped before printing a verdict")
            verdict = json.loads(line)
            if not verdict["passed"]:
                raise SystemExit(f"the watched check failed, so its time means nothing: {verdict['summary']}")
            if i:  # the first save warms the page cache
                times.append(elapsed)
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=30, help="warm checks per series (default 30)")
    parser.add_argument("--cold", type=int, default=5, help="cold runs (default 5)")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between spaced warm checks")
    parser.add_argument("--target", default=TARGET, help=f"check target, module:function (default {TARGET})")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="torchtutor-bench-") as tmp:
        folder = Path(tmp)
        learner = folder / "exercise.py"
        checker = folder / "checker.py"
        learner.write_text(LEARNER)
        checker.write_text(CHECKER)
        req = CheckRequest("bench/linear-forward", str(learner), str(checker), target=args.target)

        with Runner() as runner:
            start = time.perf_counter()
            runner.start()
            startup = time.perf_counter() - start
            runner.run(req)  # first check: warms the page cache for the learner's files
            spaced = time_warm(runner, req, args.warm, args.gap)
            back_to_back = time_warm(runner, req, args.warm, 0.0)
        cold = time_cold(learner, args.cold)
        watched = time_watch(folder, args.warm, max(args.gap, 0.3))

    ratio = statistics.median(watched) / statistics.median(cold)
    ratio_runner = statistics.median(spaced) / statistics.median(cold)
    ratio_b2b = statistics.median(back_to_back) / statistics.median(cold)
    print("check latency: save-to-verdict in watch mode vs a cold `python exercise.py` (same learner file)")
    print(f"  target: {args.target}")
    print(f"  worker start, once per session: {startup * 1000:.0f} ms")
    print(f"  warm, saves {args.gap:g} s apart (n={args.warm:>2}): {describe(spaced)}")
    print(f"  warm, back to back     (n={args.warm:>2}): {describe(back_to_back)}")
    print(f"  watch mode, save to verdict (n={len(watched):>2}): {describe(watched)}")
    print(f"  cold python exercise.py (n={args.cold:>2}): {describe(cold)}")
    verdict = "met" if ratio <= 0.10 else "NOT met"
    print(f"  ratio watch_median / cold_median = {ratio:.3f}  (goal <= 0.10: {verdict})")
    print(f"  ratio Runner.run (spaced) / cold = {ratio_runner:.3f}")
    print(f"  ratio Runner.run back to back    = {ratio_b2b:.3f}")
    return 0 if ratio <= 0.10 else 1


if __name__ == "__main__":
    sys.exit(main())

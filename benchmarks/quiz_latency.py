"""`torchtutor quiz` latency with a running server against without one, in the same run.

    python benchmarks/quiz_latency.py [--runs 5] [--lesson autograd] [--check predict-chain-rule]

On a fresh workspace it times, as a learner's shell would run them (a new Python each time):

- ``python -m torchtutor quiz LESSON --check ID --answer X --json`` with no server: the CLI
  imports torch and runs the check's code itself (the baseline);
- the same command while ``torchtutor serve`` runs: the CLI sends the answer over the
  workspace's Unix socket and the check's code runs in the server's warm runner;
- the interactive form (``quiz LESSON --check ID`` with the answer on standard input), which
  grades in the CLI and asks the server only to evaluate the check's code; with and without.

It prints p50 / min / max per case and the ratio of each served p50 to its baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_latency import env, start  # noqa: E402

from torchtutor.curriculum import load_or_raise  # noqa: E402
from torchtutor.curriculum.evaluate import format_value, run_check_code  # noqa: E402


def timed(cmd: list[str], cwd: Path, stdin: str | None, want: str) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env(), input=stdin, capture_output=True, text=True, timeout=300)
    took = (time.perf_counter() - started) * 1000
    if proc.returncode != 0 or want not in proc.stdout:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return took


def show(name: str, values: list[float]) -> float:
    p50 = statistics.median(values)
    print(f"{name:<40} p50 {p50:7.0f} ms   min {min(values):7.0f}   max {max(values):7.0f}   (n={len(values)})")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lesson", default="autograd")
    parser.add_argument("--check", default="predict-chain-rule")
    args = parser.parse_args()
    lesson = load_or_raise().lesson(args.lesson)
    check = next(c for c in lesson.checks if c.id == args.check)
    answer = format_value(check.answer_kind, run_check_code(lesson, check)[0]).split(" (")[0]
    py = [sys.executable, "-m", "torchtutor"]
    once = py + ["quiz", lesson.slug, "--check", check.id, "--answer", answer, "--json"]
    asked = py + ["quiz", lesson.slug, "--check", check.id]

    def measure(root: Path) -> tuple[list[float], list[float]]:
        a = [timed(once, root, None, '"correct": true') for _ in range(args.runs)]
        b = [timed(asked, root, answer + "\n", "1 of 1 right") for _ in range(args.runs)]
        return a, b

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        proc, _base, _token, log = start(root)
        try:
            timed(once, root, None, '"correct": true')          # the first evaluation warms the runner
            served = measure(root)
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
        alone = measure(root)                                       # the same workspace, no server now
    print(f"torchtutor quiz {lesson.slug} --check {check.id} (load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)")
    base_a, base_b = show("--answer, no server", alone[0]), show("interactive, no server", alone[1])
    show_a, show_b = show("--answer, server running", served[0]), show("interactive, server running", served[1])
    print(f"ratio served/alone: --answer {show_a / base_a:.2f}, interactive {show_b / base_b:.2f}")
    print(json.dumps({"answer_alone_ms": base_a, "answer_served_ms": show_a,
                      "interactive_alone_ms": base_b, "interactive_served_ms": show_b}))


if __name__ == "__main__":
    main()

"""Verdict time of the exercises that train on data, against a cold run of the same file.

The issue's goal: an exercise that trains on data gives its verdict within a second or two. For
each exercise below, the reference solution is checked through a warm ``Runner`` (the way
``torchtutor watch`` checks a save) and, as the baseline, run as ``python solution.py`` in a fresh
interpreter (import torch, load the sample, train, print). Prints the median of each and the ratio
warm / cold. The checker trains more than the file's own main block (it also watches one probe
epoch), so a ratio near or below 1 means the verdict costs no more than running the file.

    python benchmarks/training_check_latency.py [--repeats 3] [--threads 1]

Run it on a quiet machine: both sides are CPU-bound, and on a loaded 2-core machine both slow down.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.files import exercise_files
from torchtutor.runner import CheckRequest, Runner
from torchtutor.workspace import Workspace

EXERCISES = ["datasets-and-dataloaders/minibatch-training", "datasets-and-dataloaders/transform-pipeline",
             "mnist-classifier/evaluation-loop", "mnist-classifier/mode-switch-bug", "mnist-classifier/mnist-mlp",
             "mnist-classifier/inference"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="checks and cold runs per exercise (median shown)")
    parser.add_argument("--threads", type=int, default=1, help="OMP threads for the cold runs")
    args = parser.parse_args()
    course = load_or_raise()
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    print(f"{'exercise':48} {'warm check':>11} {'cold run':>9} {'ratio':>6}")
    with Runner() as runner:
        for full in EXERCISES:
            slug, _, ex_id = full.partition("/")
            lesson = course.lesson(slug)
            ex = lesson.exercise(ex_id)
            files = exercise_files(lesson, ex)
            request = CheckRequest(Workspace.full_id(lesson, ex), str(files.solution), str(files.checker),
                                   timeout=ex.timeout, memory_mb=ex.memory_mb)
            runner.run(request)                                   # warm up this checker's imports once
            warm = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                verdict = runner.run(request)
                warm.append(time.perf_counter() - started)
                if not verdict.passed:
                    sys.exit(f"{full}: the reference solution failed: {verdict.summary}")
            cold = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                subprocess.run([sys.executable, str(files.solution)], env=env, capture_output=True, check=True,
                               cwd=files.solution.parent, timeout=300)
                cold.append(time.perf_counter() - started)
            w, c = statistics.median(warm), statistics.median(cold)
            print(f"{full:48} {w:>10.2f}s {c:>8.2f}s {w / c:>6.2f}")


if __name__ == "__main__":
    main()

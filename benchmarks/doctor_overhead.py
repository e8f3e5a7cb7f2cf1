"""How much slower does a training script run under `torchtutor doctor`?

Runs the same training script (an MLP on synthetic Fashion-MNIST-sized data: DataLoader,
Adam, dropout, an evaluation pass per epoch, a checkpoint) several times as a plain
`python script.py` and several times under the doctor (child process, all probes, torchinfo
summary, JSON report), alternating the two, and prints the wall-time ratio (median of the
paired runs). Goal: at most 1.3x. It also prints CPU times, the doctor's start-up on a script
that only imports torch (and how much of it the CLI's own import takes), and the probes' own cost
measured in one process, where process start-up and shutdown do not blur it (the doctor's
child skips the interpreter's shutdown, which makes whole-process comparisons slightly
favour it).

    python benchmarks/doctor_overhead.py [--repeats 5] [--epochs 3] [--threads 1]

--threads sets OMP_NUM_THREADS for both sides (default 1): on a shared machine, torch's
thread pool spinning against other processes swings run times by several times, which would
drown the difference being measured.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from torchtutor.diagnose import instrument, run_doctor  # noqa: E402

SCRIPT = '''
import sys
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
epochs = int(sys.argv[1])
n_train, n_test = 12000, 2000
X = torch.rand(n_train + n_test, 1, 28, 28)
y = (X.view(-1, 784)[:, :392].sum(1) > X.view(-1, 784)[:, 392:].sum(1)).long() * 5 + torch.randint(0, 5, (n_train + n_test,))
train = DataLoader(TensorDataset(X[:n_train], y[:n_train]), batch_size=64, shuffle=True)
test = DataLoader(TensorDataset(X[n_train:], y[n_train:]), batch_size=256)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(epochs):
    model.train()
    running = 0.0
    for xb, yb in train:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        running += loss.item()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in test:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch}: loss {running / len(train):.3f}, test accuracy {correct / n_test:.1%}")
torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epochs}, "checkpoint.pt")
'''


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain(script: str, epochs: int) -> tuple[float, float]:
    """Wall and CPU seconds of `python train.py EPOCHS`."""
    cpu, started = _cpu(), time.perf_counter()
    subprocess.run([sys.executable, script, str(epochs)], cwd=os.path.dirname(script), check=True,
                   stdout=subprocess.DEVNULL, env=os.environ.copy())
    return time.perf_counter() - started, _cpu() - cpu


def doctored(script: str, epochs: int) -> tuple[float, float, int]:
    """Wall and CPU seconds of the same run under the doctor (child process, probes, report);
    a step budget far past the script's steps keeps the doctor from fast-forwarding, so both runs
    train the same number of steps."""
    cpu, started = _cpu(), time.perf_counter()
    report = run_doctor(script, [str(epochs)], max_seconds=600, max_steps=10**9, output="quiet")
    elapsed = time.perf_counter() - started
    assert report.exit_status == 0, report.summary
    return elapsed, _cpu() - cpu, len(report.warnings)


TINY = "import torch\nprint(torch.ones(3).sum().item())\n"


def startup(tmp: str, repeats: int) -> tuple[float, float, float]:
    """Start-up cost: a script that only imports torch, as `python tiny.py` and under
    `torchtutor doctor` (the CLI process, the child, the report), plus the CLI's own import.
    Medians of ``repeats`` runs, in seconds."""
    tiny = os.path.join(tmp, "tiny.py")
    Path(tiny).write_text(TINY)
    cli = [sys.executable, "-m", "torchtutor.cli", "doctor", "--json", tiny]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    plain_t, doctor_t, import_t = [], [], []
    for _ in range(repeats):
        for cmd, out in (([sys.executable, tiny], plain_t), (cli, doctor_t),
                         ([sys.executable, "-c", "import torchtutor.cli"], import_t)):
            started = time.perf_counter()
            subprocess.run(cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            out.append(time.perf_counter() - started)
    return statistics.median(plain_t), statistics.median(doctor_t), statistics.median(import_t)


def in_process(script: str, epochs: int, repeats: int) -> tuple[float, float]:
    """The probes' own cost, without process start-up and shutdown: the same script run with
    runpy in this process, plain and inside `instrument()` (which also builds the findings)."""
    import contextlib
    import io
    import runpy

    def once(probed: bool) -> float:
        sys.argv = [script, str(epochs)]
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            if probed:
                with instrument():
                    runpy.run_path(script, run_name="__main__")
            else:
                runpy.run_path(script, run_name="__main__")
        return time.perf_counter() - started

    cwd = os.getcwd()
    os.chdir(os.path.dirname(script))
    try:
        once(False)
        plain_t, probed_t = [], []
        for i in range(repeats):
            if i % 2 == 0:
                plain_t.append(once(False))
                probed_t.append(once(True))
            else:
                probed_t.append(once(True))
                plain_t.append(once(False))
    finally:
        os.chdir(cwd)
    return statistics.median(plain_t), statistics.median(probed_t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="OMP_NUM_THREADS for both sides (0: leave as is)")
    args = ap.parse_args()
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(args.threads)
        import torch

        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "train.py")
        Path(script).write_text(SCRIPT)
        plain(script, 1)  # warm the file cache and the import path
        walls, cpus = [], []
        warnings = 0
        for i in range(args.repeats):
            # alternate the order so that drift in machine load does not favour either side
            if i % 2 == 0:
                bw, bc = plain(script, args.epochs)
                dw, dc, warnings = doctored(script, args.epochs)
            else:
                dw, dc, warnings = doctored(script, args.epochs)
                bw, bc = plain(script, args.epochs)
            walls.append((bw, dw))
            cpus.append((bc, dc))
            print(f"run {i + 1}: plain {bw:.2f} s (cpu {bc:.2f} s), doctor {dw:.2f} s (cpu {dc:.2f} s), "
                  f"wall ratio {dw / bw:.3f}")
        ip, ii = in_process(script, args.epochs, args.repeats)
        sp, sd, si = startup(tmp, args.repeats)
    print(f"training script: {args.epochs} epochs of 188 steps (MLP 784-256-128-10, batch 64), "
          f"evaluation each epoch, {warnings} warning(s); {os.cpu_count()} CPU core(s), "
          f"torch threads {args.threads or 'default'}")
    bw, dw = statistics.median(w[0] for w in walls), statistics.median(w[1] for w in walls)
    bc, dc = statistics.median(c[0] for c in cpus), statistics.median(c[1] for c in cpus)
    print(f"median wall time: plain {bw:.2f} s, under doctor {dw:.2f} s")
    print(f"median CPU time:  plain {bc:.2f} s, under doctor {dc:.2f} s (ratio {dc / bc:.3f}x; less "
          "sensitive to other load on the machine)")
    print(f"in one process (no start-up/shutdown): plain {ip:.2f} s, probed {ii:.2f} s "
          f"(ratio {ii / ip:.3f}x)")
    print(f"start-up (a script that only imports torch): python {sp:.2f} s, `torchtutor doctor --json` "
          f"{sd:.2f} s, so {sd - sp:.2f} s of doctor start-up (ratio {sd / sp:.2f}x); the CLI's own import "
          f"takes {si:.2f} s of it")
    ratio = statistics.median(d / b for b, d in walls)
    print(f"overhead ratio (median of paired wall times): {ratio:.3f}x (goal <= 1.30x) -> "
          f"{'OK' if ratio <= 1.3 else 'OVER GOAL'}")


if __name__ == "__main__":
    main()

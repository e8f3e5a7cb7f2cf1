#!/usr/bin/env python
"""Blind evaluation of `torchtutor doctor` on realistic scripts it was not built on.

Runs `torchtutor doctor --json` on every script listed in
benchmarks/doctor_blind/manifest.toml and compares the warnings it reports with
the mistakes planted in each script:

    hits      expected ids the doctor reported as warnings
    misses    expected ids it did not report (a crash or bad JSON misses them all)
    false     warnings on a clean script
    extra     warnings on a buggy script that were not planted; those listed in
              the manifest's `also_ok` (direct consequences of the planted
              mistake) are shown apart and do not count as unexpected

Goals: recall = hits / planted >= 0.90 and no false warning on a clean script.
Exit status 0 when both goals are met, 1 otherwise.

Each script is copied into a fresh temporary directory and the doctor is run on
the copy, so files the scripts write (checkpoints, saved models) never land in
the repository.

    python benchmarks/doctor_blind_eval.py                 # all scripts
    python benchmarks/doctor_blind_eval.py -k s0 --jobs 1  # a subset
    python benchmarks/doctor_blind_eval.py --json-out results.json
    python benchmarks/doctor_blind_eval.py --repeat 3      # flag unstable findings
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "doctor_blind"
RECALL_GOAL = 0.90


@dataclass
class Result:
    file: str
    expected: list[str]
    also_ok: list[str]
    found: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    error: str | None = None
    doctor_rc: int | None = None
    crash: str | None = None
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not self.expected

    @property
    def hits(self) -> list[str]:
        return [i for i in self.expected if i in self.found]

    @property
    def misses(self) -> list[str]:
        return [i for i in self.expected if i not in self.found]

    @property
    def extra(self) -> list[str]:
        return [i for i in self.found if i not in self.expected]

    @property
    def unexpected(self) -> list[str]:
        return [i for i in self.extra if i not in self.also_ok]

    @property
    def consequences(self) -> list[str]:
        return [i for i in self.extra if i in self.also_ok]


def find_doctor(explicit: str | None) -> list[str]:
    if explicit:
        return [explicit]
    local = Path(sys.executable).with_name("torchtutor")
    if local.exists():
        return [str(local)]
    on_path = shutil.which("torchtutor")
    if on_path:
        return [on_path]
    return [sys.executable, "-m", "torchtutor"]


def run_one(entry: dict, doctor: list[str], max_seconds: float, max_steps: int | None) -> Result:
    res = Result(file=entry["file"], expected=list(entry.get("expected", [])),
                 also_ok=list(entry.get("also_ok", [])))
    src = CORPUS / "scripts" / entry["file"]
    if not src.exists():
        res.error = f"script not found: {src}"
        return res
    with tempfile.TemporaryDirectory(prefix="doctor_blind_") as tmp:
        script = Path(tmp) / src.name
        shutil.copy2(src, script)
        cmd = [*doctor, "doctor", "--json", "--max-seconds", str(max_seconds)]
        if max_steps:
            cmd += ["--max-steps", str(max_steps)]
        cmd.append(str(script))
        args = entry.get("args", [])
        if args:
            cmd += ["--", *args]
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True,
                                  timeout=max_seconds + 90, env=env)
        except subprocess.TimeoutExpired:
            res.seconds = time.perf_counter() - start
            res.error = f"doctor did not finish within {max_seconds + 90:.0f}s"
            return res
        except OSError as exc:
            res.error = f"could not start the doctor: {exc}"
            return res
        res.seconds = time.perf_counter() - start
        res.doctor_rc = proc.returncode
    if proc.returncode not in (0, 1):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        res.error = f"doctor exit status {proc.returncode}: " + " | ".join(tail)
        # still try to read JSON: a report may have been printed before the failure
    try:
        report = json.loads(proc.stdout)
        findings = report["findings"]
        if not isinstance(findings, list):
            raise TypeError("'findings' is not a list")
        for f in findings:
            fid, sev = f["id"], f.get("severity")
            if sev == "warning":
                if fid not in res.found:
                    res.found.append(fid)
            elif fid not in res.infos:
                res.infos.append(fid)
        crash = (report.get("summary") or {}).get("crash")
        if crash:
            res.crash = crash if isinstance(crash, str) else json.dumps(crash)[:160]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        snippet = proc.stdout.strip()[:200].replace("\n", " ")
        msg = f"bad JSON from doctor ({type(exc).__name__}: {exc}); stdout starts: {snippet!r}"
        res.error = f"{res.error}; {msg}" if res.error else msg
        res.found, res.infos = [], []
    return res  # with an error and no findings, every expected id counts as a miss


def doctor_version() -> str:
    """The repository commit the doctor runs from, and whether its source is modified."""
    repo = HERE.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=repo,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" (src modified)" if dirty else "")


def fmt(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "-"


def fmt_counts(ids: list[str], runs: list[Result]) -> str:
    """ids with '(k/n runs)' where an id was not seen in every run."""
    if not ids:
        return "-"
    n = len(runs)
    out = []
    for i in ids:
        k = sum(i in r.found for r in runs)
        out.append(i if k == n or n == 1 else f"{i} ({k}/{n} runs)")
    return ", ".join(out)


def union(lists) -> list[str]:
    seen: list[str] = []
    for ids in lists:
        for i in ids:
            if i not in seen:
                seen.append(i)
    return seen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, default=CORPUS / "manifest.toml")
    ap.add_argument("--doctor", help="path to the torchtutor executable")
    ap.add_argument("--max-seconds", type=float, default=30.0)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--repeat", "-r", type=int, default=1,
                    help="run the whole corpus this many times and report unstable findings")
    ap.add_argument("-k", dest="only", help="only scripts whose file name contains this")
    ap.add_argument("--json-out", type=Path, help="also write per-script results as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="print info findings too")
    opts = ap.parse_args()

    with open(opts.manifest, "rb") as fh:
        entries = tomllib.load(fh)["script"]
    if opts.only:
        entries = [e for e in entries if opts.only in e["file"]]
    if not entries:
        print("no scripts selected", file=sys.stderr)
        return 2
    doctor = find_doctor(opts.doctor)
    n_runs = max(1, opts.repeat)
    version_before = doctor_version()
    print(f"doctor: {' '.join(doctor)} at {version_before}   scripts: {len(entries)}   "
          f"--max-seconds {opts.max_seconds:g}   jobs {opts.jobs}   runs {n_runs}\n")

    rounds: list[list[Result]] = []
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for _ in range(n_runs):
            rounds.append(list(pool.map(
                lambda e: run_one(e, doctor, opts.max_seconds, opts.max_steps), entries)))
    per_script = list(zip(*rounds))          # per_script[i] = runs of script i

    for runs in per_script:
        r0 = runs[0]
        kind = "clean" if r0.clean else "buggy"
        secs = "/".join(f"{r.seconds:.0f}" for r in runs)
        rcs = "/".join(str(r.doctor_rc) for r in runs)
        print(f"{r0.file}  [{kind}, {secs}s, doctor rc={rcs}]")
        print(f"    expected : {fmt(r0.expected)}")
        print(f"    found    : {fmt_counts(union(r.found for r in runs), runs)}")
        if not r0.clean:
            print(f"    hits     : {fmt_counts(union(r.hits for r in runs), runs)}")
            print(f"    misses   : {fmt(union(r.misses for r in runs))}")
            unexpected = union(r.unexpected for r in runs)
            accepted = union(r.consequences for r in runs)
            print(f"    extra    : {fmt_counts(unexpected, runs)}"
                  + (f"   (consequence, accepted: {fmt_counts(accepted, runs)})" if accepted else ""))
        else:
            print(f"    false    : {fmt_counts(union(r.found for r in runs), runs)}")
        infos = union(r.infos for r in runs)
        if opts.verbose and infos:
            print(f"    info     : {fmt(infos)}")
        crashes = union([r.crash] for r in runs if r.crash)
        if crashes:
            print(f"    script crashed: {crashes[0][:150]}")
        for k, r in enumerate(runs):
            if r.error:
                print(f"    ERROR (run {k + 1}): {r.error}")

    buggy = [runs for runs in per_script if not runs[0].clean]
    clean = [runs for runs in per_script if runs[0].clean]
    planted = sum(len(runs[0].expected) for runs in buggy)
    hits_per_run = [sum(len(rounds[k][i].hits) for i, runs in enumerate(per_script) if not runs[0].clean)
                    for k in range(n_runs)]
    recall_runs = [h / planted if planted else 1.0 for h in hits_per_run]
    recall = sum(recall_runs) / n_runs
    false_any = sum(len(union(r.found for r in runs)) for runs in clean)
    false_scripts = sum(1 for runs in clean if any(r.found for r in runs))
    extra_any = sum(len(union(r.unexpected for r in runs)) for runs in buggy)
    extra_scripts = sum(1 for runs in buggy if any(r.unexpected for r in runs))
    accepted = sum(len(union(r.consequences for r in runs)) for runs in buggy)
    errors = sum(1 for runs in per_script for r in runs if r.error)
    unstable = [runs[0].file for runs in per_script
                if len({tuple(sorted(r.found)) for r in runs}) > 1]

    per_id: dict[str, list[int]] = {}
    for runs in buggy:
        for i in runs[0].expected:
            per_id.setdefault(i, [0, 0])
            per_id[i][1] += n_runs
            per_id[i][0] += sum(i in r.found for r in runs)

    print("\nPer catalogue id (hits/planted" + (", over all runs" if n_runs > 1 else "") + "):")
    for i in sorted(per_id):
        h, n = per_id[i]
        print(f"    {i:32s} {h}/{n}")

    print("\nTotals")
    print(f"    scripts              : {len(per_script)} ({len(buggy)} buggy, {len(clean)} clean)")
    print(f"    distinct ids planted : {len(per_id)}")
    runs_txt = "  per run: " + ", ".join(f"{h}/{planted}" for h in hits_per_run) if n_runs > 1 else ""
    print(f"    recall               : {sum(hits_per_run)}/{planted * n_runs} = {recall:.3f}"
          f"   (goal >= {RECALL_GOAL:.2f}){runs_txt}")
    print(f"    false warnings clean : {false_any} on {false_scripts} scripts   (goal 0)")
    print(f"    extra warnings buggy : {extra_any} unexpected on {extra_scripts} scripts"
          f", {accepted} accepted consequences")
    print(f"    doctor errors        : {errors}")
    if n_runs > 1:
        print(f"    unstable scripts     : {len(unstable)}" + (f" ({', '.join(unstable)})" if unstable else ""))
    version_after = doctor_version()
    if version_after != version_before:
        print(f"    WARNING: the doctor's source changed during the evaluation "
              f"({version_before} -> {version_after}); results may mix versions")
    ok = recall >= RECALL_GOAL and false_any == 0
    print(f"\n{'PASS' if ok else 'FAIL'}: recall {'meets' if recall >= RECALL_GOAL else 'misses'} the goal, "
          f"{'no' if false_any == 0 else false_any} false warning(s) on clean scripts")

    if opts.json_out:
        opts.json_out.write_text(json.dumps({
            "doctor_version": [version_before, version_after],
            "recall": recall, "recall_per_run": recall_runs, "planted": planted,
            "false_warnings_clean": false_any, "extra_warnings_buggy": extra_any,
            "accepted_consequences": accepted, "unstable": unstable,
            "scripts": [[{"file": r.file, "expected": r.expected, "found": r.found, "infos": r.infos,
                          "hits": r.hits, "misses": r.misses, "extra": r.unexpected,
                          "consequences": r.consequences, "crash": r.crash, "error": r.error,
                          "doctor_rc": r.doctor_rc, "seconds": round(r.seconds, 2)} for r in runs]
                        for runs in per_script],
        }, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Real-code benchmark for `torchtutor doctor` (issue 13, item 4).

Runs every script listed in benchmarks/doctor_real_code/manifest.toml under the doctor, through
the in-process API ``torchtutor.diagnose.run_many`` (one child imports torch once and forks a
copy per script), and scores the findings against the manifest:

    clean scripts   reproductions of pytorch/examples, pytorch/tutorials and
                    yunjey/pytorch-tutorial scripts; any warning on one is a false warning
    bug scripts     reproductions of public code at the commit before a reported silent
                    training bug was fixed; a bug is named when its expected catalogue id is
                    reported as a warning (or as an info, where the manifest's info_ok allows it)

It prints, per script, what was found, then

    clean runs without a false warning: X/Y     (goal: Y/Y)
    real bugs named under a fitting id: X/Y     (goal: >= 90%)

and exits 0 when both goals are met, 1 when not, 2 on a usage error.

Every script and benchmarks/doctor_real_code/corpus_data.py (the offline data stand-ins: the
real Fashion-MNIST from Debian, or seeded synthetic images) are copied into a fresh temporary
directory that is also the working directory, so files the scripts write never land in the
repository.

    PYTHONPATH=$PWD/src python benchmarks/doctor_real_code.py               # everything
    PYTHONPATH=$PWD/src python benchmarks/doctor_real_code.py -k b0 -v      # a subset, with infos
    PYTHONPATH=$PWD/src python benchmarks/doctor_real_code.py --json-out results.json
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
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "doctor_real_code"
HELPER = CORPUS / "corpus_data.py"
RECALL_GOAL = 0.90


@dataclass
class Result:
    entry: dict
    warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    crash: str | None = None
    cut_short: str | None = None
    error: str | None = None

    @property
    def file(self) -> str:
        return self.entry["file"]

    @property
    def clean(self) -> bool:
        return self.entry["kind"] == "clean"

    @property
    def expected(self) -> list[str]:
        return list(self.entry.get("expected", []))

    def named(self, fid: str) -> bool:
        return fid in self.warnings or (fid in self.entry.get("info_ok", []) and fid in self.infos)

    @property
    def hits(self) -> list[str]:
        return [i for i in self.expected if self.named(i)]

    @property
    def misses(self) -> list[str]:
        return [i for i in self.expected if not self.named(i)]

    @property
    def extra(self) -> list[str]:
        allowed = set(self.expected) | set(self.entry.get("also_ok", []))
        return [i for i in self.warnings if i not in allowed]


def load_manifest(path: Path) -> list[dict]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)["script"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        print(f"{path}: cannot read the manifest ({exc}); see the comment at the top of "
              f"{CORPUS / 'manifest.toml'} for the format", file=sys.stderr)
        raise SystemExit(2) from None


def doctor_version() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=HERE.parent,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" (src modified)" if dirty else "")


def run(entries: list[dict], max_seconds: float, max_steps: int | None, parallel: int) -> list[Result]:
    from torchtutor.diagnose import run_many

    results = [Result(e) for e in entries]
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="doctor_real_code_") as tmp:
        shutil.copy2(HELPER, Path(tmp) / HELPER.name)
        paths = []
        for e in entries:
            dst = Path(tmp) / e["file"]
            shutil.copy2(CORPUS / "scripts" / e["file"], dst)
            paths.append((str(dst), list(e.get("args", []))))
        os.chdir(tmp)
        try:
            reports = run_many(paths, max_seconds=max_seconds, max_steps=max_steps, parallel=parallel)
        finally:
            os.chdir(cwd)
    for res, rep in zip(results, reports):
        for f in rep.findings:
            bucket = res.warnings if f.is_warning else res.infos
            if f.id not in bucket:
                bucket.append(f.id)
        crash = rep.summary.get("crash")
        if crash:
            res.crash = crash if isinstance(crash, str) else json.dumps(crash)[:200]
        res.cut_short = rep.summary.get("cut_short")
        if rep.summary.get("probe_errors"):
            res.error = f"probe errors: {json.dumps(rep.summary['probe_errors'])[:200]}"
    return results


def fmt(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, default=CORPUS / "manifest.toml")
    ap.add_argument("--max-seconds", type=float, default=120.0, help="per-script budget (default 120)")
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--parallel", "-j", type=int, default=2, help="scripts at a time (default 2)")
    ap.add_argument("-k", dest="only", help="only scripts whose file name contains this")
    ap.add_argument("--json-out", type=Path, help="also write per-script results as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="print info findings too")
    opts = ap.parse_args()

    entries = load_manifest(opts.manifest)
    if opts.only:
        entries = [e for e in entries if opts.only in e["file"]]
    if not entries:
        print("no scripts selected", file=sys.stderr)
        return 2
    version = doctor_version()
    print(f"doctor at {version}   scripts: {len(entries)}   --max-seconds {opts.max_seconds:g}   "
          f"parallel {opts.parallel}\n")
    started = time.monotonic()
    results = run(entries, opts.max_seconds, opts.max_steps, opts.parallel)
    wall = time.monotonic() - started

    for r in results:
        e = r.entry
        print(f"{r.file}  [{e['kind']}]  {e['repo']} {e['path']} @ {e['commit']}")
        if r.clean:
            print(f"    false    : {fmt(r.warnings)}")
        else:
            print(f"    expected : {fmt(r.expected)}" + (f"   (info counts for: {fmt(e['info_ok'])})" if e.get("info_ok") else ""))
            print(f"    warnings : {fmt(r.warnings)}")
            print(f"    named    : {fmt(r.hits)}")
            print(f"    missed   : {fmt(r.misses)}")
            if r.extra:
                print(f"    extra    : {fmt(r.extra)}")
        if opts.verbose or not r.clean:
            print(f"    infos    : {fmt(r.infos)}")
        if r.crash:
            print(f"    script crashed: {r.crash[:200]}")
        if r.cut_short:
            print(f"    cut short: {r.cut_short}")
        if r.error:
            print(f"    {r.error}")

    clean = [r for r in results if r.clean]
    bugs = [r for r in results if not r.clean]
    clean_ok = sum(1 for r in clean if not r.warnings)
    planted = sum(len(r.expected) for r in bugs)
    named = sum(len(r.hits) for r in bugs)
    recall = named / planted if planted else 1.0
    crashed = [r.file for r in results if r.crash]
    print(f"\nclean runs without a false warning: {clean_ok}/{len(clean)}   (goal: {len(clean)}/{len(clean)})")
    print(f"real bugs named under a fitting id: {named}/{planted} = {recall:.0%}   (goal: >= {RECALL_GOAL:.0%})")
    print(f"extra warnings on bug scripts     : {sum(len(r.extra) for r in bugs)}")
    print(f"scripts that crashed              : {len(crashed)}" + (f" ({', '.join(crashed)})" if crashed else ""))
    print(f"wall time                         : {wall:.0f} s")
    ok = clean_ok == len(clean) and recall >= RECALL_GOAL
    print(f"\n{'PASS' if ok else 'FAIL'}: " + ("both goals met" if ok else "at least one goal not met"))
    if opts.json_out:
        opts.json_out.write_text(json.dumps({
            "doctor_version": version, "clean_ok": clean_ok, "clean": len(clean), "named": named,
            "planted": planted, "recall": recall,
            "scripts": [{"file": r.file, "kind": r.entry["kind"], "expected": r.expected, "warnings": r.warnings,
                         "infos": r.infos, "hits": r.hits, "misses": r.misses, "extra": r.extra,
                         "crash": r.crash, "cut_short": r.cut_short, "error": r.error} for r in results],
        }, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

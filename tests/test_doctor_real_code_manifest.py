"""The real-code corpus (benchmarks/doctor_real_code/) is well-formed.

Fast: reads the manifest and parses the scripts; never runs them (the benchmark
benchmarks/doctor_real_code.py does that).
"""
from __future__ import annotations

import ast
import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest

from torchtutor.diagnose import catalogue

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "benchmarks" / "doctor_real_code"
MANIFEST = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))
ENTRIES = MANIFEST["script"]
NEW_IDS = set(MANIFEST.get("new_ids", []))


def _header(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines)


def test_corpus_has_the_size_the_issue_asks_for():
    kinds = [e["kind"] for e in ENTRIES]
    assert kinds.count("clean") >= 20
    assert kinds.count("bug") >= 10


def test_every_entry_is_complete_and_every_script_is_listed_once():
    files = [e["file"] for e in ENTRIES]
    assert len(files) == len(set(files)), "a script is listed twice"
    on_disk = sorted(p.name for p in (CORPUS / "scripts").glob("*.py"))
    assert sorted(files) == on_disk
    for e in ENTRIES:
        assert e["kind"] in ("clean", "bug"), e["file"]
        for key in ("repo", "path", "commit", "origin"):
            assert isinstance(e.get(key), str) and e[key], f"{e['file']}: missing {key}"
        if e["kind"] == "bug":
            assert e.get("expected"), f"{e['file']}: a bug names the ids that would name it"
            assert e.get("report", "").startswith("https://github.com/"), e["file"]
            assert set(e.get("info_ok", [])) <= set(e["expected"]), e["file"]
        else:
            assert not e.get("expected") and not e.get("info_ok"), e["file"]


def test_expected_ids_are_catalogue_ids_or_announced_new_ones():
    known = set(catalogue.ids()) | NEW_IDS
    for e in ENTRIES:
        for fid in [*e.get("expected", []), *e.get("also_ok", [])]:
            assert fid in known, f"{e['file']}: {fid!r} is neither in the catalogue nor in new_ids"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_script_parses_and_its_header_matches_the_manifest(entry):
    path = CORPUS / "scripts" / entry["file"]
    ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    header = _header(path)
    assert re.search(r"^# Source: .+", header, re.M), "header names its source"
    assert re.search(r"^# Licence of the original: .+", header, re.M), "header names the licence"
    prose = re.sub(r"\s*\n#\s*", " ", header)     # the header's sentences, unwrapped
    assert "no code was copied" in prose or "contains no code from it" in prose
    expected = re.search(r"^# Expected: (.+)$", header, re.M).group(1)
    if entry["kind"] == "clean":
        assert expected.startswith("clean")
    else:
        for fid in entry["expected"]:
            assert fid in expected, f"header's Expected line does not name {fid}"
        assert re.search(r"^# (Fixed by|Bug): .+", header, re.M), "a bug header says what was reported"


def _bench():
    spec = importlib.util.spec_from_file_location("doctor_real_code", ROOT / "benchmarks" / "doctor_real_code.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod          # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_scoring_counts_info_only_where_the_manifest_allows_it():
    bench = _bench()
    entry = {"file": "x.py", "kind": "bug", "expected": ["a", "b"], "info_ok": ["b"], "also_ok": ["c"]}
    r = bench.Result(entry, warnings=["c", "d"], infos=["a", "b"])
    assert r.hits == ["b"]                 # "a" as an info does not count, "b" does
    assert r.misses == ["a"]
    assert r.extra == ["d"]                # "c" is an accepted consequence
    clean = bench.Result({"file": "y.py", "kind": "clean"}, warnings=[], infos=["a"])
    assert clean.clean and not clean.warnings

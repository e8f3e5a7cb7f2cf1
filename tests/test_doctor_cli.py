"""`torchtutor doctor` as a user runs it: a real subprocess, exit codes, JSON on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torchtutor
from torchtutor.diagnose import CATALOGUE

HERE = Path(__file__).parent
CORPUS = HERE / "doctor" / "corpus"
SCRIPTS = HERE / "doctor" / "scripts"


def tt(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    # the torchtutor under test (this checkout's src/), not whichever one the venv has installed
    src = str(Path(torchtutor.__file__).resolve().parents[1])
    return subprocess.run([sys.executable, "-m", "torchtutor.cli", "doctor", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin",
                                                           "HOME": str(cwd), "PYTHONPATH": src})


def test_list_prints_the_catalogue(tmp_path):
    proc = tt("--list", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [d["id"] for d in data] == [m.id for m in CATALOGUE]
    text = tt("--list", cwd=tmp_path)
    assert text.returncode == 0
    assert "missing-zero-grad" in text.stdout and "Fix:" in text.stdout


def test_json_report_and_exit_code_one_for_warnings(tmp_path):
    proc = tt(str(CORPUS / "bug_missing_zero_grad.py"), "--json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)           # the script's own prints went to stderr
    assert {"script", "exit_status", "findings", "summary"} <= set(data)
    assert [f["id"] for f in data["findings"] if f["severity"] == "warning"] == ["missing-zero-grad"]
    printed = proc.stderr.splitlines()
    assert any(line.startswith("0 ") for line in printed) and any(line.startswith("1 ") for line in printed)


def test_human_report_and_exit_code_zero_when_clean(tmp_path):
    proc = tt(str(CORPUS / "clean_mlp_classifier.py"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.index("epoch 3:") < out.index("torchtutor doctor:")   # the script's output first
    for heading in ("1. The model", "2. The first iteration", "3. The training loop", "4. Loss against accuracy"):
        assert heading in out
    assert "Traceback" not in out + proc.stderr


def test_arguments_after_double_dash_reach_the_script(tmp_path):
    out = tmp_path / "env.json"
    proc = tt(str(SCRIPTS / "report_environment.py"), "--max-seconds", "30", "--", str(out), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(out.read_text())
    assert seen["argv"][1:] == [str(out), "--json"]
    assert "torchtutor doctor:" in proc.stdout       # --json after -- belonged to the script


def test_a_crashing_script_exits_four_and_help_says_so(tmp_path):
    script = tmp_path / "boom.py"
    script.write_text("import torch\nraise ValueError('no data found')\n")
    proc = tt(str(script), "--json", cwd=tmp_path)
    assert proc.returncode == 4, proc.stderr
    assert json.loads(proc.stdout)["summary"]["doctor_exit_code"] == 4
    helptext = " ".join(tt("--help", cwd=tmp_path).stdout.split())
    assert "4 the script itself crashed" in helptext


def test_usage_errors_exit_two_with_one_paragraph(tmp_path):
    for args in (["missing.py"], [], [str(SCRIPTS / "exits_with_status.py"), "--max-steps", "0"]):
        proc = tt(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "Error" in proc.stderr
    bad = tt(str(SCRIPTS / "exits_with_status.py"), "--max-seconds", "soon", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_crash_report(tmp_path):
    proc = tt(str(CORPUS / "bug_non_scalar_backward.py"), cwd=tmp_path)
    assert proc.returncode == 4                        # a crash has its own exit code, even when explained
    assert "Traceback" in proc.stderr                  # the script's own traceback, as python shows it
    assert "grad can be implicitly created only for scalar outputs" in proc.stderr
    assert "WARNING non-scalar-backward" in proc.stdout
    assert "The script crashed at bug_non_scalar_backward.py:" in proc.stdout and "RuntimeError: grad can be" in proc.stdout


def test_script_that_does_not_parse_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nx = (\n")
    proc = tt(str(bad), cwd=tmp_path)
    assert proc.returncode == 2
    err = " ".join(proc.stderr.split())  # the paragraph is wrapped to the terminal width
    assert "bad.py does not parse as Python" in err and "line 2: x = (" in err
    assert "Traceback" not in proc.stderr + proc.stdout

"""Notebooks: generated from the lessons, fresh in notebooks/, and proven both ways by running
them in a real Jupyter kernel (nbclient), as learntools proves its exercises from the raw
notebook. The starter notebook runs top to bottom and every check says the exercise is not
done yet; the solutions notebook runs top to bottom and every check passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from torchtutor.curriculum import load
from torchtutor.curriculum.reports import notebook_name
from torchtutor.nb.build import build_notebook, notebook_text

ROOT = Path(__file__).resolve().parents[1]
COURSE, _ = load()
LESSONS = [l.slug for l in COURSE.lessons]


def _execute(notebook, folder: Path, timeout: int = 180):
    """Run a notebook in a fresh kernel whose working folder (and so workspace) is ``folder``."""
    env = {k: v for k, v in os.environ.items() if k != "TORCHTUTOR_WORKSPACE"}
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env=env)
    return notebook


def _outputs(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif out["output_type"] in ("execute_result", "display_data"):
            parts.append(out["data"].get("text/plain", ""))
        elif out["output_type"] == "error":
            parts.append(f"ERROR {out['ename']}: {out['evalue']}")
    return "".join(parts)


def _cells(notebook, needle: str) -> list[tuple[str, str]]:
    return [(c["source"], _outputs(c)) for c in notebook.cells if c["cell_type"] == "code" and needle in c["source"]]


def test_the_committed_notebooks_are_fresh():
    stale = []
    for lesson in COURSE.lessons:
        path = ROOT / "notebooks" / notebook_name(lesson.number, lesson.slug)
        if not path.is_file() or path.read_text(encoding="utf-8") != notebook_text(COURSE, lesson):
            stale.append(path.name)
    assert stale == [], f"stale or missing: {stale}; run `torchtutor notebook --all -o notebooks`"


def test_a_notebook_holds_the_lesson_its_checks_before_their_reveal_and_its_exercises():
    lesson = COURSE.lesson("autograd")
    notebook = build_notebook(COURSE, lesson)
    sources = [c["source"] for c in notebook.cells]
    code = [c["source"] for c in notebook.cells if c["cell_type"] == "code"]
    assert "find_spec(\"torchtutor\") is None" in code[0] and "nb.lesson('autograd')" in code[1]
    predict = next(i for i, s in enumerate(sources) if "ex.checks.predict_fan_out.answer(prediction)" in s)
    reveal = next(i for i, s in enumerate(sources) if "out = a * 2 + a * 5      # a fans out" in s)
    assert predict < reveal
    assert any(s.startswith("with nb.expect_error(RuntimeError):") for s in code)
    assert any(s.startswith("```mermaid") for s in sources)
    for exercise in lesson.exercises:
        assert any(s.startswith(f"%%exercise autograd/{exercise.id}\n") for s in code)
        assert f"ex.{exercise.id.replace('-', '_')}.check()" in code
    assert notebook_text(COURSE, lesson) == notebook_text(COURSE, lesson)  # deterministic


@pytest.mark.timeout(900)
@pytest.mark.parametrize("slug", LESSONS)
def test_every_notebook_runs_both_ways(slug, tmp_path):
    lesson = COURSE.lesson(slug)
    runs = {}

    def run(kind: str) -> None:
        folder = tmp_path / kind
        folder.mkdir()
        try:
            runs[kind] = _execute(build_notebook(COURSE, lesson, solutions=kind == "solutions"), folder)
        except Exception as exc:  # noqa: BLE001 - reported below, with the cell that failed
            runs[kind] = exc

    threads = [threading.Thread(target=run, args=(k,)) for k in ("starter", "solutions")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for kind, result in runs.items():
        assert not isinstance(result, Exception), f"{kind} notebook of {slug} stopped: {result}"
    starter, solutions = runs["starter"], runs["solutions"]
    for source, out in _cells(starter, ".check()"):
        assert out.startswith("✗ "), f"starter {source!r} printed {out[:300]!r}"
    for source, out in _cells(solutions, ".check()"):
        assert out.startswith("✓ "), f"solutions {source!r} printed {out[:300]!r}"
    assert len(_cells(solutions, ".check()")) == len(lesson.exercises)
    for source, out in _cells(starter, ".answer("):
        assert "Not answered yet." in out
    for source, out in _cells(solutions, ".answer("):
        assert out.startswith(("✓ Right.", "Marked: got it.")), f"{source!r} printed {out[:300]!r}"
        assert "Recorded in your progress." in out
    setup = [c for c in starter.cells if "setup" in c["metadata"].get("tags", [])][0]
    assert _outputs(setup) == ""  # torchtutor is installed here: the install cell does nothing
    progress = subprocess.run([sys.executable, "-m", "torchtutor.cli", "progress", "--json", "--workspace",
                               str(tmp_path / "solutions" / "torchtutor-workspace")],
                              capture_output=True, text=True, timeout=120)
    assert progress.returncode == 0, progress.stderr
    data = json.loads(progress.stdout)
    statuses = {e["id"]: e["status"] for l in data["lessons"] if l["slug"] == slug for e in l["exercises"]}
    assert set(statuses.values()) == {"done"}, statuses


def _small_notebook(*sources: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_a_check_ignores_the_notebooks_globals_and_survives_an_infinite_loop(tmp_path):
    lesson = COURSE.lesson("tensors")
    exercise = lesson.exercises[0]
    starter = (lesson.dir / "exercises" / f"{exercise.stem}.py").read_text(encoding="utf-8")
    solution = (lesson.dir / "solutions" / f"{exercise.stem}.py").read_text(encoding="utf-8")
    handle = f"ex.{exercise.id.replace('-', '_')}"
    notebook = _small_notebook(
        "from torchtutor import nb\nex = nb.lesson('tensors')",
        f"%%exercise tensors/{exercise.id}\n{starter}",
        # Pollute the kernel: the solution's names with the right values, and a rigged comparison.
        f"exec(compile({solution!r}, 'solution', 'exec'))\nimport torch\ntorch.allclose = lambda *a, **k: True",
        f"{handle}.check()",
        f"%%exercise tensors/{exercise.id}\nwhile True:\n    pass\n",
        f"{handle}.check()",
        "print('the kernel still answers')",
    )
    _execute(notebook, tmp_path)
    outs = [_outputs(c) for c in notebook.cells]
    assert outs[3].startswith("✗ "), outs[3]
    assert outs[5].startswith("✗ ") and "did not finish within" in outs[5], outs[5]
    assert outs[6] == "the kernel still answers\n"


def test_doctor_on_a_cells_training_code(tmp_path):
    script = (
        "import torch\nfrom torch import nn\n"
        "torch.manual_seed(0)\nX = torch.randn(64, 3); y = X @ torch.tensor([1.0, -2.0, 0.5])\n"
        "model = nn.Linear(3, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.05)\n"
        "for step in range(60):\n"
        "    loss = ((model(X).squeeze(1) - y) ** 2).mean()\n"
        "    loss.backward()\n    opt.step()\n"
    )
    from torchtutor import nb

    report = str(nb.doctor(source=script, max_seconds=60))
    assert "missing-zero-grad" in report or "zero_grad" in report


def test_the_notebook_command_explains_bad_input(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "torchtutor.cli", "notebook", *args], capture_output=True,
                              text=True, timeout=120, cwd=tmp_path)

    neither = run()
    assert neither.returncode == 2 and "--all" in neither.stderr and "Traceback" not in neither.stderr
    unknown = run("no-such-lesson")
    assert unknown.returncode == 2 and "no-such-lesson" in unknown.stderr and "Traceback" not in unknown.stderr
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    blocked = run("tensors", "-o", "afile")
    assert blocked.returncode == 2 and "is a file" in blocked.stderr
    ok = run("tensors", "-o", "out")
    assert ok.returncode == 0 and (tmp_path / "out" / "2-1-1-tensors.ipynb").is_file()


def test_a_notebook_widget_computes_with_the_same_function_as_the_cli():
    from torchtutor import nb
    from torchtutor.widgets import get

    shown = nb.widget("autograd-explorer", w1=1.0)
    expected = get("autograd-explorer").run(w1=1.0)
    data = shown.data if hasattr(shown, "data") else json.loads(str(shown))
    assert data["autograd"] == expected["autograd"] and data["all_match"] is True
    if hasattr(shown, "params"):  # anywidget is installed: moving a slider recomputes in Python
        shown.params = dict(shown.params, w1=-0.5)
        assert shown.data["autograd"] == get("autograd-explorer").run(w1=-0.5)["autograd"]


def test_a_verdict_with_explanations_is_shown_with_their_words():
    """Workspace.check attaches explanations as {"id", "text"}; the notebook shows the text."""
    from torchtutor.checks import Verdict
    from torchtutor.nb.display import verdict_view

    verdict = Verdict(id="saving-and-loading/match-architecture", passed=False, summary="Names differ.",
                      misconceptions=["file-contains-architecture"], failure="missing-keys",
                      explanations=[{"id": "file-contains-architecture", "text": "The file holds names and tensors."}])
    shown = verdict_view(verdict)
    assert "Why it matters: The file holds names and tensors." in shown.text
    assert "Why it matters: The file holds names and tensors." in shown._repr_html_()

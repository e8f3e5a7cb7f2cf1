"""Reading a lesson in an 80-column terminal: outputs, raising examples, diagrams and inline
checks are each drawn so that a learner cannot mistake one for another."""

from __future__ import annotations

import io

from rich.console import Console

from torchtutor import render
from torchtutor.curriculum import load
from torchtutor.curriculum.markdown import code_blocks, inline_checks, mermaid_outline


def _read(slug: str) -> str:
    course, problems = load()
    assert course is not None, problems
    buf = io.StringIO()
    console = Console(file=buf, width=80, force_terminal=False, color_system=None)
    render.lesson(console, course.lesson(slug))
    return buf.getvalue()


def test_output_blocks_are_labelled_and_raising_blocks_marked():
    text = _read("autograd")
    assert "─ output ─" in text
    assert "raises RuntimeError (on purpose)" in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_mermaid_graph_becomes_readable_edges_without_its_styling():
    text = _read("autograd")
    assert "x = 2.0 ──▸ × (m1)" in text
    assert "+ (a1) ──z1──▸ ReLU" in text
    assert "classDef" not in text and "#" not in text.split("─ diagram ─")[1].split("╰")[0]


def test_an_inline_check_shows_its_prompt_and_folds_the_answer():
    text = _read("autograd")
    panel = text.split("✎ Predict, then check")[1].split("╰")[0]
    assert "What is x.grad?" in panel
    assert "torchtutor quiz autograd --check predict-chain-rule" in panel
    assert "answer = x.grad.item()" not in panel and "24" not in panel


def test_every_check_of_module_2_1_stands_inline_once():
    course, _ = load()
    for slug in ("tensors", "autograd", "nn-module", "training-loop"):
        lesson = course.lesson(slug)
        placed = [cid for cid, _ in inline_checks((lesson.dir / "lesson.md").read_text(encoding="utf-8"))]
        assert sorted(placed) == sorted(c.id for c in lesson.checks), slug


def test_mermaid_outline_reads_labels_edge_text_and_dotted_links():
    edges = mermaid_outline('graph LR\n  a(["x"]) --> b["f"]\n  b -- "y" --> c((out))\n  g["grad"]:::k -.- a\n  classDef k fill:#fff\n')
    assert edges == [("x", "", "f", False), ("f", "y", "out", False), ("grad", "", "x", True)]


def test_check_fences_are_not_run_as_code():
    blocks = code_blocks("```check\npredict-x\n```\n")
    assert [(b.lang, b.code.strip()) for b in blocks] == [("check", "predict-x")]


def test_the_reading_time_is_stated_at_the_top_and_build_lessons_fit_25_minutes():
    from torchtutor.curriculum.markdown import reading_minutes

    course, _ = load()
    for lesson in course.lessons:
        core, optional = reading_minutes((lesson.dir / "lesson.md").read_text(encoding="utf-8"))
        head = _read(lesson.slug).splitlines()[:5]
        assert any(line.startswith(f"Reading time: about {max(1, round(core))} min") for line in head), lesson.slug
        if lesson.type.value == "BUILD":
            assert core <= 25, f"{lesson.slug}: the core path takes {core:.1f} min; move depth to Going further"


def test_going_further_sections_count_apart_and_end_at_the_next_heading_of_their_level():
    from torchtutor.curriculum.markdown import reading_minutes

    text = "# T\n\n" + "word " * 200 + "\n\n## Going further: more\n\n" + "word " * 400 + "\n\n## Back\n\n" + "word " * 200
    core, optional = reading_minutes(text)
    assert abs(optional - 2.0) < 0.05 and abs(core - 2.0) < 0.05
    code = "```python\n" + "x = 1\n" * 20 + "```\n"
    assert round(reading_minutes(code)[0], 2) == 1.0

"""Terminal rendering for the CLI front end (rich). Data in, text out; no decisions."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .checks.verdict import Verdict
from .curriculum import Course, Lesson

STATUS_STYLE = {"done": "green", "failing": "red", "pending": "dim"}


def _misconception_text(course: Course | None, lesson: Lesson | None, mid: str) -> str | None:
    if course is None:
        return None
    pools = [lesson.misconceptions] if lesson else []
    pools += [l.misconceptions for l in course.lessons] + [m.misconceptions for m in course.modules]
    for pool in pools:
        for m in pool:
            if m.id == mid:
                return f"Believing “{m.belief}” — {m.truth}"
    try:
        from .diagnose import catalogue_entry

        entry = catalogue_entry(mid)
        if entry is not None:
            return f"{entry.title}: {entry.explanation}"
    except ImportError:
        pass
    return None


def verdict(console: Console, v: Verdict, lesson: Lesson | None = None, course: Course | None = None) -> None:
    mark, style = ("✓", "green") if v.passed else ("✗", "red")
    head = Text.assemble((f"{mark} {v.id}", f"bold {style}"), (f"  ({v.duration_ms:.0f} ms)", "dim"))
    body = [head, Text(v.summary)]
    for line in v.details:
        body.append(Text("  " + line, style="dim" if v.passed else ""))
    for mid in v.misconceptions:
        text = _misconception_text(course, lesson, mid)
        if text:
            body.append(Text(f"  Why it matters: {text}", style="yellow"))
    if v.stdout.strip() and not v.passed:
        out = v.stdout.strip()
        if len(out) > 800:
            out = out[:800] + " …"
        body.append(Text("  Your code printed:\n" + "\n".join("    " + l for l in out.splitlines()), style="dim"))
    if not v.passed:
        body.append(Text(f"  Stuck? torchtutor hint {v.id}", style="cyan"))
    console.print(Group(*body))


def welcome(console: Console, ws, lesson: Lesson, written: list) -> None:
    entries = [e for e in ws.entries() if e.lesson == lesson.slug]
    first = next((e for e in entries if e.status != "done"), entries[0] if entries else None)
    lines = [f"Workspace: {ws.root}" + (f"  ({len(written)} exercise files created)" if written else ""),
             f"Next lesson: {lesson.number} {lesson.title}   →  torchtutor lesson {lesson.slug}"]
    if first:
        lines.append(f"First exercise: {first.path}")
    lines.append("Edit an exercise and save: the verdict appears here. Also: torchtutor list | hint | solution | progress | quiz")
    console.print(Panel("\n".join(lines), title="torchtutor", border_style="cyan"))


def exercise_table(console: Console, entries) -> None:
    table = Table(show_lines=False)
    for col in ("id", "level", "status", "file"):
        table.add_column(col)
    for e in entries:
        table.add_row(e.id, e.level, Text(e.status, style=STATUS_STYLE.get(e.status, "")), e.path)
    console.print(table)


def hint(console: Console, exercise_id: str, step) -> None:
    note = " (this one fits the mistake your last check found)" if step.matched else ""
    console.print(Panel(step.text, title=f"Hint {step.rung + 1} of {step.total} for {exercise_id}{note}", border_style="cyan"))
    if step.rung + 1 < step.total:
        console.print("Run the same command again for the next hint.", style="dim")
    else:
        console.print(f"That was the last hint. `torchtutor solution {exercise_id}` shows the answer.", style="dim")


def why(console: Console, text: str) -> None:
    console.print(Panel(text, title="Why this works", border_style="green"))


def progress(console: Console, data: dict) -> None:
    table = Table(title="Lessons")
    for col in ("lesson", "title", "exercises", "status"):
        table.add_column(col)
    for l in data["lessons"]:
        style = {"done": "green", "started": "yellow"}.get(l["status"], "dim")
        table.add_row(l["number"] + " " + l["slug"], l["title"], f"{l['done']}/{l['total']}", Text(l["status"], style=style))
    console.print(table)
    concepts = Table(title="Concepts")
    for col in ("concept", "depth", "lesson", "evidence"):
        concepts.add_column(col)
    for c in data["concepts"]:
        style = {"shown": "green", "tried": "yellow"}.get(c["status"], "dim")
        concepts.add_row(c["name"], c["depth"], c["lesson"], Text(c["status"], style=style))
    console.print(concepts)


def lesson(console: Console, l: Lesson) -> None:
    text = (l.dir / "lesson.md").read_text(encoding="utf-8")
    console.print(Panel(f"{l.number} · {l.type.value} · {l.title}", border_style="cyan"))
    console.print(Markdown(text.replace("```output", "```text").replace("```python raises=", "```python  # raises ")))


def concepts(console: Console, rows: list[dict]) -> None:
    table = Table()
    for col in ("concept", "depth", "lesson", "exercised by"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["depth"], r["lesson"], ", ".join(r["exercised_by"]))
    console.print(table)


def proofs(console: Console, results) -> None:
    for r in results:
        mark = Text("✓", style="green") if r.ok else Text("✗", style="red")
        console.print(Text.assemble(mark, f" {r.id}: starter ", ("fails" if not r.starter.passed else "PASSES (should fail)",
                                                                   "" if not r.starter.passed else "red"),
                                    ", solution ", ("passes" if r.solution.passed else "FAILS (should pass)",
                                                    "" if r.solution.passed else "red")))
        if not r.ok:
            bad = r.starter if r.starter.passed else r.solution
            console.print(f"    {bad.summary}", style="red")
            for d in bad.details:
                console.print(f"    {d}", style="dim")
    ok = sum(r.ok for r in results)
    console.print(f"{ok} of {len(results)} exercises proven both ways.")

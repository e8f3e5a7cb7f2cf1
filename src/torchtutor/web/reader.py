"""Render a lesson to a self-contained HTML page in the workspace and open it.

The page is static: it reads the lesson text and lists the lesson's exercises with
their files. Verdicts stay in the terminal where `torchtutor start` watches.
"""

from __future__ import annotations

import html
import os
import sys
import webbrowser
from pathlib import Path

from markdown_it import MarkdownIt

from ..curriculum import Lesson
from ..workspace import Workspace
from ..workspace.core import MARKER

STYLE = """
body{font:17px/1.6 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
pre{background:#f5f5f7;padding:.8rem 1rem;border-radius:6px;overflow-x:auto;font-size:14px}
pre.output{background:#eef6ee;border-left:3px solid #5a5}
code{font-family:ui-monospace,monospace}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}
.meta{color:#666}.ex{background:#f0f4ff;padding:.8rem 1rem;border-radius:6px}
"""


def lesson_html(ws: Workspace, lesson: Lesson) -> str:
    md = MarkdownIt("commonmark").enable("table")
    source = (lesson.dir / "lesson.md").read_text(encoding="utf-8")
    body = md.render(source).replace('<pre><code class="language-output">', '<pre class="output"><code>')
    rows = "".join(
        f"<li><b>{html.escape(ex.title)}</b> ({ex.level.value}) — "
        f"<code>{html.escape(str(ws.exercise_path(lesson, ex)))}</code></li>"
        for ex in lesson.exercises)
    return (f"<!doctype html><meta charset='utf-8'><title>{html.escape(lesson.title)}</title><style>{STYLE}</style>"
            f"<p class='meta'>Lesson {lesson.number} · {lesson.type.value}</p>{body}"
            f"<div class='ex'><h2>Exercises</h2><ol>{rows}</ol>"
            f"<p>Edit a file and save it: the verdict appears in the terminal running <code>torchtutor start</code>.</p></div>")


def write_lesson(ws: Workspace, lesson: Lesson) -> Path:
    target = ws.root / MARKER / "reader" / f"{lesson.number}-{lesson.slug}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(lesson_html(ws, lesson), encoding="utf-8")
    return target


def has_display() -> bool:
    """A graphical browser can only open where there is a display. Without one, Python's
    webbrowser module may start a text browser that takes over the terminal."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_lesson(ws: Workspace, lesson: Lesson) -> tuple[Path, bool]:
    """Write the page and try to open it; returns the page and whether a browser opened it."""
    page = write_lesson(ws, lesson)
    if not has_display():
        return page, False
    try:
        return page, bool(webbrowser.open(page.as_uri()))
    except webbrowser.Error:
        return page, False

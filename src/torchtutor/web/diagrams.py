"""Mermaid diagrams, pre-rendered to SVG when the front end is built.

A lesson's ```` ```mermaid ```` block is drawn once, at build time, by the pinned
``mermaid`` npm package in headless Chromium (``frontend/build.py diagrams``), and the
SVG is stored under ``static/diagrams/`` named by a hash of the block's source. The
page inlines that SVG, so a learner's browser never loads mermaid (3.5 MB of
JavaScript) and nothing is fetched from the internet. A block whose SVG is missing is
shown as its source with a note saying how to draw it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

DIAGRAM_DIR = Path(__file__).resolve().parent / "static" / "diagrams"
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>\s*")


def diagram_key(source: str) -> str:
    """The file stem for a diagram: a hash of its source with surrounding whitespace removed."""
    return hashlib.sha256(source.strip().encode("utf-8")).hexdigest()[:20]


def diagram_file(source: str, folder: Path = DIAGRAM_DIR) -> Path:
    return folder / f"{diagram_key(source)}.svg"


def diagram_svg(source: str, folder: Path = DIAGRAM_DIR) -> str | None:
    """The pre-rendered SVG markup for ``source``, or None when it has not been drawn yet."""
    path = diagram_file(source, folder)
    try:
        return _XML_DECL.sub("", path.read_text(encoding="utf-8"))
    except OSError:
        return None


def course_diagrams(course) -> list[tuple[str, int, str]]:
    """Every mermaid block of the course: (lesson slug, line of its fence, source)."""
    from ..curriculum.markdown import code_blocks

    found = []
    for lesson in course.lessons:
        text = (lesson.dir / "lesson.md").read_text(encoding="utf-8")
        for block in code_blocks(text):
            if block.lang == "mermaid":
                found.append((lesson.slug, block.line, block.code))
    return found

"""Find the fenced code blocks of a lesson, with their line numbers.

Conventions of ``lesson.md``:

- ```` ```python ```` blocks run, in order, in one namespace per lesson (like a notebook);
- ```` ```python raises=RuntimeError ```` blocks must raise that exception (a negative example);
- an ```` ```output ```` block right after a python block is exactly what that block prints.

The tests run every python block and compare every output block, so what a lesson
shows is what the code prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$")


@dataclass
class CodeBlock:
    lang: str
    code: str
    line: int  # line of the opening fence, 1-based
    options: dict[str, str] = field(default_factory=dict)
    output: "CodeBlock | None" = None  # the output block that follows, for python blocks


def _options(text: str) -> dict[str, str]:
    opts = {}
    for part in text.split():
        key, _, value = part.partition("=")
        opts[key] = value
    return opts


def code_blocks(text: str) -> list[CodeBlock]:
    blocks: list[CodeBlock] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, rest = m.group(2), m.group(3).lower(), m.group(4)
        start = i
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1  # closing fence
        block = CodeBlock(lang=lang, code="\n".join(body) + ("\n" if body else ""), line=start + 1, options=_options(rest))
        if lang == "output" and blocks and blocks[-1].lang == "python" and blocks[-1].output is None:
            blocks[-1].output = block
        blocks.append(block)
    return blocks

"""Find the fenced code blocks of a lesson, with their line numbers.

Conventions of ``lesson.md``:

- ```` ```python ```` blocks run, in order, in one namespace per lesson (like a notebook);
- ```` ```python raises=RuntimeError ```` blocks must raise that exception (a negative example);
- an ```` ```output ```` block right after a python block is exactly what that block prints;
- a ```` ```check ```` block holds the id of one of the lesson's ``[[checks]]``: the check
  stands there, at the point where its idea is taught (predict-then-reveal). The terminal
  shows its prompt with the answer folded away, the web reader makes it interactive, and
  ``torchtutor quiz`` asks it too, from the same data. Lint requires every check of a
  lesson to stand inline exactly once.

The tests run every python block and compare every output block, so what a lesson
shows is what the code prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A lesson places a widget by writing about it: the first mention of `torchtutor widget NAME`
# is where the web reader and the notebook put the interactive widget.
WIDGET_MENTION = re.compile(r"torchtutor widget ([a-z][a-z0-9-]*)")


def widget_mentions(text: str) -> list[tuple[str, list[str]]]:
    """Every ``torchtutor widget NAME --flag value ...`` in ``text``: the name and the flags typed
    after it, up to the end of the code span or the line. The web reader and the notebook open
    the widget with those settings, so it starts where the sentence around it says."""
    found = []
    for match in WIDGET_MENTION.finditer(text):
        tokens = re.split(r"[`\n]", text[match.end():], maxsplit=1)[0].split()
        args: list[str] = []
        i = 0
        while i < len(tokens) and tokens[i].startswith("--") and len(tokens[i]) > 2:
            takes_value = "=" not in tokens[i] and i + 1 < len(tokens) and not tokens[i + 1].startswith("--")
            args += tokens[i:i + 2] if takes_value else tokens[i:i + 1]
            i += 2 if takes_value else 1
        found.append((match.group(1), args))
    return found

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


def inline_checks(text: str) -> list[tuple[str, int]]:
    """The ids of the checks placed inline (```` ```check ```` blocks), with their lines."""
    found = []
    for block in code_blocks(text):
        if block.lang == "check":
            found.append((block.code.strip(), block.line))
    return found


_NODE = re.compile(r"""^\s*([A-Za-z_][\w]*)\s*(?:\(\[|\[\(|\(\(|\[|\(|\{)\s*"?(.*?)"?\s*(?:\]\)|\)\]|\)\)|\]|\)|\})(?::::\w+)?\s*$""")
_EDGE = re.compile(r"""(-->|-\.->|-\.-|==>|---|--\s*"[^"]*"\s*-->|--\s*[^->"]+\s*-->|-\.\s*"[^"]*"\s*\.->)""")


def _clean_label(text: str) -> str:
    text = text.strip().strip('"')
    return re.sub(r"\s*<br\s*/?>\s*", " / ", text)


def mermaid_outline(code: str) -> list[tuple[str, str, str, bool]]:
    """A Mermaid flowchart as edges ``(source label, edge label, target label, dotted)``,
    so that a terminal can draw the graph as plain text. Node labels come from their
    definitions anywhere in the graph; styling lines (classDef, style, class) are skipped."""
    labels: dict[str, str] = {}
    edges_raw: list[tuple[str, str, str, bool]] = []
    for raw in code.splitlines():
        line = raw.strip()
        if not line or line.startswith(("%%", "graph", "flowchart", "classDef", "style ", "class ", "linkStyle")):
            continue
        parts = _EDGE.split(line)
        if len(parts) == 1:
            m = _NODE.match(line)
            if m:
                labels[m.group(1)] = _clean_label(m.group(2))
            continue
        nodes = [p for i, p in enumerate(parts) if i % 2 == 0]
        arrows = [p for i, p in enumerate(parts) if i % 2 == 1]
        ids = []
        for node in nodes:
            node = node.strip()
            m = _NODE.match(node)
            if m:
                labels[m.group(1)] = _clean_label(m.group(2))
                ids.append(m.group(1))
            else:
                ids.append(re.sub(r":::\w+$", "", node))
        for (a, b), arrow in zip(zip(ids, ids[1:]), arrows):
            text = re.search(r'"([^"]*)"', arrow) or re.match(r"--\s*([^->\"]+?)\s*-->", arrow)
            edges_raw.append((a, _clean_label(text.group(1)) if text else "", b, "." in arrow))
    shared = {label for label in labels.values() if list(labels.values()).count(label) > 1}

    def name(node: str) -> str:
        label = labels.get(node, node)
        return f"{label} ({node})" if label in shared else label

    return [(name(a), t, name(b), dotted) for a, t, b, dotted in edges_raw]


# Reading speeds behind the reading time a lesson states: prose at an unhurried 200 words a
# minute, code at 20 lines a minute (each line read, not typed). Sections whose heading starts
# with "Going further" are optional and counted apart.
PROSE_WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 20
OPTIONAL = re.compile(r"^(#{2,6})\s+Going further\b", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})\s")


def reading_minutes(text: str) -> tuple[float, float]:
    """Minutes to read a lesson: (core path, optional "Going further" sections)."""
    core = [0.0, 0.0]
    optional = [0.0, 0.0]
    target = core
    level_of_optional = 0
    in_code = False
    fence = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not in_code:
            m = HEADING.match(line)
            if m:
                level = len(m.group(1))
                if OPTIONAL.match(line):
                    target, level_of_optional = optional, level
                elif target is optional and level <= level_of_optional:
                    target = core
            f = FENCE.match(line)
            if f:
                in_code, fence = True, f.group(2)
                counts_as_code = f.group(3).lower() in ("python", "output", "text", "mermaid", "")
                continue
            target[0] += len(re.findall(r"[A-Za-z0-9']+", line))
        else:
            if stripped.startswith(fence):
                in_code = False
                continue
            if counts_as_code and stripped:
                target[1] += 1
    minutes = lambda words, lines: words / PROSE_WORDS_PER_MINUTE + lines / CODE_LINES_PER_MINUTE  # noqa: E731
    return minutes(*core), minutes(*optional)

"""``torchtutor curriculum new SLUG --module M``: a new lesson folder that lints clean.

The scaffold is a starting point for a course author, not a lesson: one small exercise
(starter, checker, solution) proven both ways, a slip table, one inline check, and every
field lint requires, each filled with a line that says what belongs there. It writes only
the new lesson's folder and the module's ``module.toml`` (the slug joins ``lessons``; a
``[[planned]]`` entry of the same slug is taken over, so its number, title, type and topics
carry on; a new slug gets its rows in ``[core_concept]`` and ``[load]``). Nothing existing
is overwritten.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .files import FOLDERS, SLIPS_FILE
from .loader import Course, load
from .models import SLUG, Module, PlannedLesson

EXERCISE_ID = "first-exercise"


class ScaffoldError(Exception):
    """The lesson cannot be created; one paragraph saying why and what to do."""


@dataclass
class Scaffolded:
    folder: Path
    module_file: Path
    written: list[Path]
    number: str


def _q(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


def _next_number(module: Module, course: Course) -> str:
    numbers = [l.number for l in course.lessons if l.module == module.slug] + [p.number for p in module.planned]
    last = max((int(n.rsplit(".", 1)[1]) for n in numbers), default=0)
    return f"{module.number}.{last + 1}"


def _prerequisite(course: Course, module: Module, number: str) -> list[str]:
    """The written lesson just before this one in course order, if any."""
    key = tuple(int(x) for x in number.split("."))
    earlier = [l for l in course.lessons if tuple(int(x) for x in l.number.split(".")) < key]
    return [earlier[-1].slug] if earlier else []


def new_lesson(slug: str, module_key: str, root: Path | None = None, title: str | None = None) -> Scaffolded:
    if not re.match(SLUG, slug):
        raise ScaffoldError(f"{slug!r} is not a lesson slug: use lowercase words joined by hyphens, e.g. saving-and-loading.")
    course, problems = load(root)
    if course is None:
        raise ScaffoldError(f"The course does not load, so a lesson cannot be added to it: {problems[0]}. "
                            "Fix that first (`torchtutor curriculum lint` lists every problem).")
    module = course.module(module_key)
    if module is None:
        names = ", ".join(f"{m.number} ({m.slug})" for m in course.modules)
        raise ScaffoldError(f"There is no module {module_key!r}. The modules are: {names}.")
    if slug in {l.slug for l in course.lessons} or slug in course.broken:
        raise ScaffoldError(f"Lesson {slug!r} already exists; pick another slug.")
    other = next((m for m in course.modules if m is not module and any(p.slug == slug for p in m.planned)), None)
    if other is not None:
        raise ScaffoldError(f"{slug!r} is planned in module {other.number} ({other.slug}), not {module.number}; "
                            f"run `torchtutor curriculum new {slug} --module {other.number}`.")
    folder = module.dir / slug
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists; the scaffold never overwrites files. Remove it or pick another slug.")
    planned = next((p for p in module.planned if p.slug == slug), None)
    number = planned.number if planned else _next_number(module, course)
    lesson_title = title or (planned.title if planned else slug.replace("-", " ").capitalize())
    kind = planned.type.value if planned else "BUILD"
    topics = list(planned.takes_up) if planned else []
    concept = topics[0] if topics else lesson_title

    module_file = module.dir / "module.toml"
    module_text = _edit_module(module_file.read_text(encoding="utf-8"), module, slug, number, planned, lesson_title,
                               course)
    files = _lesson_files(slug, number, lesson_title, kind, concept, topics[1:],
                          _prerequisite(course, module, number))
    written = []
    try:
        for rel, text in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        module_file.write_text(module_text, encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"Cannot write the lesson at {folder}: {exc.strerror}. Pick a course folder you can write to "
                            "(--root DIR).") from None
    return Scaffolded(folder=folder, module_file=module_file, written=written, number=number)


# --------------------------------------------------------------------------- module.toml
def _edit_module(text: str, module: Module, slug: str, number: str, planned: PlannedLesson | None, title: str,
                 course: Course) -> str:
    lessons = _ordered(list(module.lessons), slug, number, course)
    match = re.search(r"(?ms)^lessons\s*=\s*\[.*?\]", text)
    line = "lessons = [" + ", ".join(_q(s) for s in lessons) + "]"
    if match and tomllib.loads(match.group(0)).get("lessons") == list(module.lessons):
        text = text[:match.start()] + line + text[match.end():]
    else:
        text = _insert_top_level(text, line)
    if planned is not None:
        text = _drop_planned(text, slug)
    else:
        text = _table_row(text, "core_concept", slug, f"{title}: the one idea this lesson is built around")
        text = _table_row(text, "load", slug, "How much is new here, and what it rests on")
    return text


def _ordered(slugs: list[str], slug: str, number: str, course: Course) -> list[str]:
    key = tuple(int(x) for x in number.split("."))
    position = len(slugs)
    for i, other in enumerate(slugs):
        lesson = course.lesson(other)
        if lesson and tuple(int(x) for x in lesson.number.split(".")) > key:
            position = i
            break
    return slugs[:position] + [slug] + slugs[position:]


def _insert_top_level(text: str, line: str) -> str:
    """Put a key before the first table header (top-level keys must come first in TOML)."""
    match = re.search(r"(?m)^\[", text)
    at = match.start() if match else len(text)
    return text[:at] + line + "\n\n" + text[at:]


def _drop_planned(text: str, slug: str) -> str:
    lines = text.splitlines(keepends=True)
    out, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "[[planned]]":
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("["):
                j += 1
            block = "".join(lines[i + 1:j])
            try:
                found = tomllib.loads(block).get("slug") == slug
            except tomllib.TOMLDecodeError:
                found = False
            if found:
                i = j
                continue
            out.extend(lines[i:j])
            i = j
            continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def _table_row(text: str, table: str, key: str, value: str) -> str:
    row = f"{key} = {_q(value)}\n"
    match = re.search(rf"(?m)^\[{re.escape(table)}\][ \t]*(?:#.*)?(?:\n|\Z)", text)
    if match is None:
        return text.rstrip("\n") + f"\n\n[{table}]\n" + row
    head = text[:match.end()] if text[:match.end()].endswith("\n") else text[:match.end()] + "\n"
    return head + row + text[match.end():]


# --------------------------------------------------------------------------- the lesson folder
def _lesson_files(slug: str, number: str, title: str, kind: str, concept: str, takes_up: list[str],
                  prerequisites: list[str]) -> dict[str, str]:
    stem = EXERCISE_ID.replace("-", "_")
    folders = list(FOLDERS)
    return {
        "lesson.toml": _lesson_toml(slug, number, title, kind, concept, takes_up, prerequisites),
        "lesson.md": _lesson_md(title),
        f"{folders[0]}/{stem}.py": STARTER,
        f"{folders[1]}/{stem}.py": CHECKER.replace("{slug}", slug),
        f"{folders[2]}/{stem}.py": SOLUTION,
        SLIPS_FILE: SLIPS,
    }


def _lesson_toml(slug, number, title, kind, concept, takes_up, prerequisites) -> str:
    return f'''# Scaffolded by `torchtutor curriculum new`. Replace every line that describes what belongs
# in a field with the lesson's own content; docs/course-format.md explains each field.
slug = {_q(slug)}
number = {_q(number)}
title = {_q(title)}
type = {_q(kind)}
summary = "What the learner can do after this lesson, in one paragraph."
prerequisites = {json.dumps(prerequisites)}
takes_up = {json.dumps(takes_up, ensure_ascii=False)}

[[concepts]]                 # names verbatim from the series' concept index (see docs/course-format.md)
name = {_q(concept)}
depth = "INTRODUCED"
notes = "How this lesson teaches the concept, in one line."

[teaching]
concepts_taught = "The concepts of this lesson, in one line and in the learner's words."
hook = "How the lesson opens, and the question it raises."
sequence = ["Each teaching move, in lesson order: what is shown, with which example."]
negative_examples = []

[[exercises]]
id = {_q(EXERCISE_ID)}
title = "A tensor of three zeros"
level = "guided"
concepts = [{_q(concept)}]
why = "torch.zeros(3) makes a float32 tensor of shape [3] filled with 0.0, which is what the checker compares with."
hints = [
  {{ text = "torch.ones fills with 1.0; the task asks for zeros.", when = ["ones-not-zeros"] }},
  {{ text = "Each np.something has a torch.something twin: np.zeros(3) becomes torch.zeros(3)." }},
]

[[checks]]
id = "predict-zeros-sum"
kind = "predict"
prompt = "What does torch.zeros(3).sum().item() print?"
concepts = [{_q(concept)}]
code = """
import torch
answer = torch.zeros(3).sum().item()
"""
answer_kind = "number"
explanation = "Three zeros add up to 0.0."
'''


def _lesson_md(title: str) -> str:
    return f'''# {title}

Replace this page with the lesson, written for the learner in your own words: the hook, each
concept as the record teaches it, the mistakes shown failing, and a short recap. Every python
block runs in the tests, and an output block must be exactly what the block before it prints.

```python
import torch

zeros = torch.zeros(3)
print(zeros)
```

```output
tensor([0., 0., 0.])
```

Each check of lesson.toml stands once, where its idea is taught, before the text gives the answer away:

```check
predict-zeros-sum
```

Now do the exercise: `torchtutor check {EXERCISE_ID}`.
'''


STARTER = '''"""A tensor of three zeros (guided).

Replace this exercise with the lesson's own. The docstring tells the learner the task, the
names the checker reads, and what "done" means.

Task: make `result` a tensor of three zeros (float32, like torch's default).
"""

import torch

result = None  # your code here
'''

SOLUTION = '''"""A tensor of three zeros: reference solution."""

import torch

result = torch.zeros(3)
'''

CHECKER = '''"""Checker for {slug}/first-exercise. Replace it with the exercise's own checks; the API is
in docs/checks-api.md. Judge values and runtime evidence, never the learner's source text."""

import torch

from torchtutor.checks import Expect, Wrong

EXPECT = [
    Expect("result", torch.zeros(3), wrong=[
        Wrong("`result` is full of ones: torch.ones fills with 1.0, torch.zeros with 0.0.",
              value=torch.ones(3), failure="ones-not-zeros"),
    ]),
]
PASSED = "`result` is a float32 tensor of three zeros."
'''

SLIPS = '''# Realistic wrong answers ([[slip]]) and correct solutions written differently ([[alternative]]).
# Format: docs/course-format.md, section "Slip tables". tests/test_slips.py runs every entry.

[[slip]]
exercise = "first-exercise"
name = "ones instead of zeros"
replace = [["torch.zeros(3)", "torch.ones(3)"]]
failure = "ones-not-zeros"
says = ["torch.ones"]

[[slip]]
exercise = "first-exercise"
name = "a column instead of a vector"
replace = [["torch.zeros(3)", "torch.zeros(3, 1)"]]
failure = "wrong-shape"

[[alternative]]
exercise = "first-exercise"
name = "the zeros written out"
replace = [["torch.zeros(3)", "torch.tensor([0.0, 0.0, 0.0])"]]
'''

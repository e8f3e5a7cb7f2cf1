"""Build a lesson's notebook from the lesson's data. No notebook is written by hand: a lesson
that lands gets its notebook from ``torchtutor notebook LESSON``, and a test fails when a
committed notebook is stale.

The notebook holds, in lesson order: the lesson's text as Markdown cells (diagrams as
Mermaid fences, figures as attachments), every code sample as a runnable cell (a negative
example runs inside ``nb.expect_error`` so that "Run all" carries on), every inline check
as a prediction cell placed before the code that reveals it, and at the end each exercise
as a ``%%exercise`` starter cell followed by its check cell. The first cell installs
torchtutor where it is missing (Colab) and does nothing where it is installed.
"""

from __future__ import annotations

import base64
import hashlib
import re
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ..curriculum import Course, Lesson
from ..curriculum.evaluate import format_value, run_check_code
from ..curriculum.files import exercise_files
from ..curriculum.markdown import code_blocks, widget_mentions
from ..curriculum.reports import notebook_name

DEFAULT_INSTALL_SOURCE = "torchtutor"
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def _attr(ident: str) -> str:
    return ident.replace("-", "_")


class _Cells:
    """Collects cells with ids that depend only on the lesson and the position, so that the
    same lesson always gives byte-identical notebooks."""

    def __init__(self, slug: str):
        self.slug = slug
        self.cells = []

    def _id(self) -> str:
        return hashlib.sha1(f"{self.slug}:{len(self.cells)}".encode()).hexdigest()[:12]

    def markdown(self, text: str, attachments: dict | None = None) -> None:
        text = text.strip("\n")
        if text.strip():
            cell = new_markdown_cell(text, id=self._id())
            if attachments:
                cell["attachments"] = attachments
            self.cells.append(cell)

    def code(self, source: str, tags: list[str] | None = None) -> None:
        cell = new_code_cell(source.rstrip("\n"), id=self._id())
        if tags:
            cell["metadata"]["tags"] = tags
        self.cells.append(cell)


def _prose(cells: _Cells, text: str, lesson_dir: Path, widgets: set[str]) -> None:
    """Prose between code blocks: one Markdown cell per heading-led section, with local
    images embedded as attachments (a notebook on Colab has no lesson folder beside it),
    and after the first mention of `torchtutor widget NAME` that widget, live."""
    chunks = re.split(r"(?m)^(?=#{1,3} )", text)
    for chunk in chunks:
        attachments = {}

        def attach(m: re.Match) -> str:
            target = lesson_dir / m.group(2)
            if m.group(2).startswith(("http://", "https://")) or not target.is_file():
                return m.group(0)
            mime = "image/png" if target.suffix == ".png" else ("image/svg+xml" if target.suffix == ".svg" else "image/jpeg")
            attachments[target.name] = {mime: base64.b64encode(target.read_bytes()).decode("ascii")}
            return f"![{m.group(1)}](attachment:{target.name})"

        cells.markdown(IMAGE.sub(attach, chunk), attachments or None)
        _widgets_after(cells, chunk, widgets)


def _widgets_after(cells: _Cells, text: str, widgets: set[str]) -> None:
    from ..widgets import WIDGETS, WidgetError

    for name, args in widget_mentions(text):
        if name in WIDGETS and name not in widgets:
            widgets.add(name)
            try:   # the settings the lesson's mention gives, as keyword arguments
                given = "".join(f", {k}={v!r}" for k, v in WIDGETS[name].parse_args(args).items())
            except WidgetError:
                given = ""
            cells.code(f"nb.widget({name!r}{given})  # interactive in Jupyter with anywidget; its numbers as text elsewhere")


def _check_cells(cells: _Cells, lesson: Lesson, check, solutions: bool) -> None:
    handle = f"ex.checks.{_attr(check.id)}"
    kind = {"predict": "Predict, then check", "transfer": "Think it through", "choice": "Choose"}[check.kind]
    options = "".join(f"\n{i}. {o}" for i, o in enumerate(check.options, 1))
    cells.markdown(f"**✎ {kind}.** {_quote(check.prompt)}" + (f"\n{options}" if options else ""))
    if check.kind == "predict":
        guess = "None"
        if solutions:
            value, _ = run_check_code(lesson, check)
            kind = check.answer_kind or "text"
            guess = repr(("yes" if value else "no") if kind == "bool" else format_value(kind, value))
        cells.code(f"prediction = {guess}  # your prediction, as you would type it: 42, [3, 1], float32, yes\n"
                   f"{handle}.answer(prediction)")
    elif check.kind == "choice":
        pick = str(check.answer + 1) if solutions else "None"
        cells.code(f"choice = {pick}  # the number of your answer\n{handle}.answer(choice)")
    else:
        mine = repr(" ".join((check.model_answer or "").split())) if solutions else '""'
        mark = '"got it"' if solutions else "None"
        cells.code(f"my_answer = {mine}  # write your answer, run the cell, then mark it: \"got it\", \"partly\" "
                   f"or \"missed\"\n{handle}.answer(my_answer, mark={mark})")


def _quote(prompt: str) -> str:
    """A check's prompt for Markdown: code-looking lines become a code block."""
    lines = prompt.strip().splitlines()
    if len(lines) == 1:
        return lines[0]
    return "\n\n```python\n" + "\n".join(lines) + "\n```\n"


def _raising(code: str, kind: str) -> str:
    return f"with nb.expect_error({kind}):\n" + textwrap.indent(code.rstrip("\n"), "    ")


def build_notebook(course: Course, lesson: Lesson, *, solutions: bool = False,
                   install_source: str = DEFAULT_INSTALL_SOURCE) -> nbformat.NotebookNode:
    cells = _Cells(lesson.slug)
    checks = {c.id: c for c in lesson.checks}
    cells.markdown(
        f"# {lesson.number} {lesson.title}\n\n{' '.join(lesson.summary.split())}\n\n"
        "**How this notebook works.** Run the cells from the top. Where a cell asks for a prediction, write it "
        "before you run the code that follows. Each exercise at the end is a cell that starts with "
        "`%%exercise`: edit it, run it (that saves it), then run the check cell below it. The checks are the "
        "same as in the terminal (`torchtutor check`) and your progress is kept in the same place. "
        + ("*This copy has the reference solutions filled in.*" if solutions else ""))
    cells.code(
        "# Setup. On Colab this installs torchtutor; where torchtutor is already installed it does nothing.\n"
        "import importlib.util\n"
        "if importlib.util.find_spec(\"torchtutor\") is None:\n"
        f"    get_ipython().run_line_magic(\"pip\", \"install --quiet {install_source}\")", tags=["setup"])
    cells.code(f"from torchtutor import nb\n\nex = nb.lesson({lesson.slug!r})\nex", tags=["setup"])

    text = (lesson.dir / "lesson.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    cursor = 0
    widgets: set[str] = set()
    for index, block in enumerate(code_blocks(text)):
        start = block.line - 1
        prose = "\n".join(lines[cursor:start])
        if index == 0:  # the lesson's own title is already the notebook's first cell
            prose = re.sub(r"^\s*# .*\n?", "", prose, count=1)
        _prose(cells, prose, lesson.dir, widgets)
        cursor = start + 1 + len(block.code.splitlines()) + 1
        if block.lang == "python":
            raises = block.options.get("raises")
            cells.code(_raising(block.code, raises) if raises else block.code, tags=["raises-exception"] if raises else None)
        elif block.lang == "check":
            check = checks.get(block.code.strip())
            if check is not None:
                _check_cells(cells, lesson, check, solutions)
        elif block.lang == "output":
            continue  # the code cell above prints it
        else:
            cells.markdown(f"```{block.lang}\n{block.code.rstrip()}\n```")
            _widgets_after(cells, block.code, widgets)
    _prose(cells, "\n".join(lines[cursor:]), lesson.dir, widgets)

    if lesson.exercises:
        cells.markdown("## Exercises\n\nEach exercise is a cell that starts with `%%exercise`. Edit the code, run "
                       "the cell to save it, then run the check below it. Stuck? `.hint()` gives the next hint, and "
                       "`.solution()` shows the reference solution (the reveal is recorded).")
    for exercise in lesson.exercises:
        files = exercise_files(lesson, exercise)
        source = (files.solution if solutions else files.starter).read_text(encoding="utf-8")
        handle = f"ex.{_attr(exercise.id)}"
        cells.markdown(f"### {exercise.title}\n\n*{exercise.level.value}* · `{lesson.slug}/{exercise.id}` · "
                       f"hint: `{handle}.hint()`")
        cells.code(f"%%exercise {lesson.slug}/{exercise.id}\n{source}")
        cells.code(f"{handle}.check()")

    notebook = new_notebook(cells=cells.cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "colab": {"provenance": [], "toc_visible": True},
        "torchtutor": {"lesson": lesson.slug, "number": lesson.number, "solutions": solutions},
    })
    return notebook


def notebook_text(course: Course, lesson: Lesson, **kwargs) -> str:
    return nbformat.writes(build_notebook(course, lesson, **kwargs)) + "\n"


def write_notebook(course: Course, lesson: Lesson, folder: Path, *, solutions: bool = False,
                   install_source: str = DEFAULT_INSTALL_SOURCE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = notebook_name(lesson.number, lesson.slug)
    if solutions:
        name = name.replace(".ipynb", "-solutions.ipynb")
    path = folder / name
    path.write_text(notebook_text(course, lesson, solutions=solutions, install_source=install_source), encoding="utf-8")
    return path

"""``torchtutor notebook LESSON``: build a lesson's Jupyter/Colab notebook from its data. Thin:
calls ``nb.build``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

err_console = Console(stderr=True)


def _fail(message: str):
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def notebook(lesson: Annotated[Optional[str], typer.Argument(
                 help="Lesson slug or number (e.g. autograd or 2.1.2). Leave it out with --all.", show_default=False)] = None,
             output: Annotated[Path, typer.Option(
                 "--output", "-o", help="Folder to write the notebook into.")] = Path("."),
             solutions: Annotated[bool, typer.Option(
                 "--solutions", help="Fill in the reference solutions and the checks' answers "
                                     "(writes NAME-solutions.ipynb).")] = False,
             every: Annotated[bool, typer.Option("--all", help="Build the notebook of every lesson.")] = False,
             install_source: Annotated[str, typer.Option(
                 "--install-source", help="What the first cell pip-installs where torchtutor is missing (Colab): a "
                                          "package name, a wheel URL or a git URL.")] = "torchtutor"):
    """Build a lesson's notebook (lesson text, runnable samples, inline checks, exercises with check cells).

    Open it with `jupyter lab`, run it with `jupyter nbconvert --execute --to notebook`, or upload it to
    Colab. Its checks use the same checkers and the same progress as the CLI.
    """
    from .curriculum import load_or_raise
    from .nb.build import write_notebook
    from .workspace.quiz import QuizError, find_lesson

    course = load_or_raise()
    if every == (lesson is not None):
        _fail("Name one lesson (e.g. `torchtutor notebook autograd`) or pass --all, not both and not "
                         "neither. `torchtutor list` shows the lessons.")
    try:
        lessons = course.lessons if every else [find_lesson(course, lesson)]
    except QuizError as exc:
        _fail(str(exc))
    if output.exists() and not output.is_dir():
        _fail(f"--output {output} is a file; pass a folder to write the notebook into.")
    try:
        for chosen in lessons:
            path = write_notebook(course, chosen, output, solutions=solutions, install_source=install_source)
            err_console.print(f"Wrote {path}.")
    except OSError as exc:
        _fail(f"Cannot write into {output}: {exc.strerror}. Pick a folder you can write to.")

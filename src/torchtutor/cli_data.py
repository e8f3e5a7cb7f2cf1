"""``torchtutor data status | fetch``: where the datasets are, and getting one. Thin: calls ``data``.

A dataset problem (missing, truncated, corrupt) prints its one-paragraph message and exits 2.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

data_app = typer.Typer(help="Where MNIST and Fashion-MNIST are on this machine, and getting them.",
                       no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

DataDirOpt = Annotated[Optional[Path], typer.Option(
    "--data-dir", show_default=False,
    help="A folder with the four IDX files (or a NAME/ folder of them), searched before $TORCHTUTOR_DATA.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def paragraph_errors(errors):
    """A command decorator: an exception of the types ``errors()`` returns (imported only when the
    command runs, so that ``--help`` stays fast) prints its one paragraph on stderr and exits 2,
    never a traceback."""

    def decorate(command):
        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            caught = errors()
            try:
                return command(*args, **kwargs)
            except caught as exc:
                err_console.print(f"[bold red]Error:[/] {exc}", highlight=False)
                raise typer.Exit(2) from None

        return wrapper

    return decorate


def _data_error():
    from .data import DataError

    return DataError


#: A DataError (missing, truncated or corrupt dataset) as its paragraph and exit status 2.
data_errors = paragraph_errors(_data_error)


@data_app.command("status")
@data_errors
def data_status(data_dir: DataDirOpt = None, as_json: JsonOpt = False):
    """Where each dataset was found (and that its files check out), or why not."""
    from .data import status

    rows = status(data_dir)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Datasets")
    for column in ("dataset", "found in", "train", "test"):
        table.add_column(column)
    for row in rows:
        where = f"{row['folder']} ({row['kind']})" if row["found"] else "[red]not found[/]"
        counts = row["counts"]
        table.add_row(row["name"], where, f"{counts['train']:,}" if row["ok"] else "-",
                      f"{counts['test']:,}" if row["ok"] else "-")
    console.print(table)
    for row in rows:
        if row["problem"]:
            console.print(f"\n[bold]{row['name']}[/]: {row['problem']}", highlight=False)
    console.print(f"\nThe shipped samples are always there: {rows[0]['sample']['train']:,} training and "
                  f"{rows[0]['sample']['test']:,} test images each (load_dataset(NAME, sample=True)).")


@data_app.command("fetch")
@data_errors
def data_fetch(name: Annotated[str, typer.Argument(help="mnist or fashion-mnist.")],
               data_dir: DataDirOpt = None):
    """Get a dataset: use the copy already on this machine, else download it with torchvision."""
    from .data import fetch, locate

    location = locate(name, data_dir)
    if location is None:
        err_console.print(f"Downloading {name} with torchvision...")
        location = fetch(name)
    else:
        from .data.store import load_location

        for split in ("train", "test"):
            load_location(location, split)  # checks every file
    console.print(f"{location.name} is ready: {location.describe()}, every file checked.", highlight=False)

"""`torchtutor doctor`, in its own module so that running it imports neither the course
layers nor torch in the CLI's process (the script runs, with torch, in a child process).

The full CLI registers :func:`doctor` as one of its commands; the console script's launcher
(:mod:`torchtutor.launch`) sends ``torchtutor doctor ...`` straight to :func:`main`, which
skips the full CLI's import (typer's app of every command, the curriculum models).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}


class DoctorCallError(Exception):
    """The doctor was called wrongly: one paragraph on stderr, exit 2."""


def doctor(ctx: typer.Context,
           script: Annotated[Optional[Path], typer.Argument(
               show_default=False, help="The PyTorch script to run; its own arguments go after --.")] = None,
           max_seconds: Annotated[float, typer.Option(
               "--max-seconds", help="Cut the run short after this many seconds.")] = 60.0,
           max_steps: Annotated[Optional[int], typer.Option(
               "--max-steps", show_default=False, help="Cut training short after this many optimizer steps.")] = None,
           list_catalogue: Annotated[bool, typer.Option(
               "--list", help="Print the catalogue of mistakes the doctor detects.")] = False,
           as_json: Annotated[bool, typer.Option(
               "--json", help="Print JSON; the script's own output goes to stderr.")] = False):
    """Run a training script under instrumentation and report the four-phase debugging checklist.

    `torchtutor doctor train.py -- --epochs 3`. The script reads the doctor's stdin, as under `python`
    (`torchtutor doctor train.py < in.txt`). Ctrl-C (SIGINT) and SIGTERM are passed on to the script,
    which sees KeyboardInterrupt; the report then covers the run up to then. Exit code: 0 no warnings,
    1 warnings, 2 usage error, 4 the script itself crashed, 130 interrupted by Ctrl-C, 143 by SIGTERM
    (also `summary.doctor_exit_code`, `summary.crashed` and `summary.interrupted` in --json).
    """
    from rich.console import Console

    from . import diagnose

    if list_catalogue:
        if as_json:
            _print_json(diagnose.catalogue_as_dicts())
        else:
            Console().print(diagnose.CatalogueView())
        return
    if script is None:
        raise DoctorCallError("doctor needs the script to run, e.g. `torchtutor doctor train.py -- --epochs 3` "
                              "(arguments after -- go to the script), or `torchtutor doctor --list` for the "
                              "catalogue.")
    try:
        report = diagnose.run_doctor(script, list(ctx.args), max_seconds=max_seconds, max_steps=max_steps,
                                     output="stderr" if as_json else "inherit", stdin=True)
    except diagnose.DoctorUsageError as exc:
        raise DoctorCallError(str(exc)) from None
    if as_json:
        _print_json(report.to_dict())
    else:
        Console().print(diagnose.ReportView(report))
    raise typer.Exit(report.exit_code)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def main() -> None:
    """``torchtutor doctor ...`` without the rest of the CLI: same command, same exit codes."""
    app = typer.Typer(name="torchtutor", add_completion=False, pretty_exceptions_enable=False,
                      rich_markup_mode=None)

    @app.callback()
    def _root() -> None:
        """torchtutor (the doctor command; `torchtutor --help` lists the others)."""

    app.command("doctor", context_settings=CONTEXT)(doctor)
    try:
        app()
    except DoctorCallError as exc:
        from rich.console import Console

        Console(stderr=True).print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)

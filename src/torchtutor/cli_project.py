"""``torchtutor project mnist | fashion-mnist``: train the reference pipeline. Thin: calls ``projects``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .cli_data import DataDirOpt, paragraph_errors

project_app = typer.Typer(help="Train the reference pipeline on real data: mnist or fashion-mnist.",
                          no_args_is_help=True)
err_console = Console(stderr=True)

ModelOpt = Annotated[str, typer.Option("--model", help="mlp or cnn.")]
EpochsOpt = Annotated[Optional[int], typer.Option("--epochs", show_default=False,
                                                  help="Most epochs to train (default 12; early stopping may end sooner).")]
DataOpt = Annotated[str, typer.Option("--data", help="full, sample (the shipped 4,000 images), or auto: "
                                      "the full dataset if this machine has it, else the sample.")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", show_default=False,
                                                help="Folder for checkpoints, figures and logs (default runs/NAME-MODEL).")]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="Continue the run in --out from its last checkpoint "
                                         "(model, optimizer and schedule), after its last finished epoch.")]
ThreadsOpt = Annotated[Optional[int], typer.Option("--threads", show_default=False,
                                                   help="CPU threads (default: the cores this process may use that the load average says are idle, at least 1).")]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", show_default=False,
                                                  help="cpu, cuda, mps (default: CUDA, else MPS, else the CPU).")]
PrecisionOpt = Annotated[str, typer.Option("--precision", help="auto, fp32 or bf16: what training's forward passes "
                                           "run in. auto: bfloat16 where the hardware computes it natively (a CPU "
                                           "with AMX, a recent GPU), else float32.")]
MirrorOpt = Annotated[bool, typer.Option("--mirror-test/--no-mirror-test",
                                         help="fashion-mnist: judge each validation and test image together with "
                                              "its mirror image (test-time augmentation); --no-mirror-test judges "
                                              "single images.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout (progress stays off).")]


class EpochProgress:
    """A rich progress bar over each epoch's batches, and one line per finished epoch."""

    def __init__(self, console: Console, epochs: int):
        self.console, self.epochs = console, epochs
        self.bar = Progress(TextColumn("epoch {task.fields[epoch]}/{task.fields[of]}"), BarColumn(),
                            MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn(),
                            console=console, transient=True)
        self.task = None

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)

    def start(self, epoch: int, batches: int) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task("", total=batches, epoch=epoch, of=self.epochs, loss="-")

    def advance(self, loss: float) -> None:
        self.bar.update(self.task, advance=1, loss=f"{loss:.3f}")

    def epoch_done(self, row, improved: bool) -> None:
        mark = "  best so far, saved" if improved else ""
        self.console.print(f"epoch {row.epoch:>2}: train loss {row.train_loss:.3f} acc {row.train_acc:.2%} · "
                           f"val {row.val_acc:.2%} · test {row.test_acc:.2%} · {row.seconds:.1f}s{mark}",
                           highlight=False)


def _report(console: Console, report) -> None:
    console.print(f"\n{report.stopped}. Best epoch {report.best_epoch}: test accuracy "
                  f"[bold]{report.test_acc:.2%}[/] (loss {report.test_loss:.3f}) in {report.seconds:.0f}s.",
                  highlight=False)
    if report.mirror_test:
        console.print("Each test image was judged together with its mirror image (--no-mirror-test judges single "
                      "images).", style="dim", highlight=False)
    table = Table()
    table.add_column("class")
    table.add_column("test accuracy", justify="right")
    for name, acc in sorted(report.per_class.items(), key=lambda kv: kv[1]):
        table.add_row(name, f"{acc:.1%}")
    console.print(table)
    if report.confusions:
        worst = "; ".join(f"{t} taken for {p} ({c})" for t, p, c in report.confusions[:3])
        console.print(f"Most frequent mistakes: {worst}.", highlight=False)
    for what, path in report.files.items():
        console.print(f"  {what.replace('_', ' ')}: {path}", highlight=False)
    if "tensorboard" in report.files:
        console.print(f"Open the dashboard with: tensorboard --logdir {report.files['tensorboard']}", highlight=False)


def _train(dataset: str, model: str, epochs, data: str, data_dir, out, resume: bool, threads, device,
           precision: str, mirror_test: bool, as_json: bool) -> None:
    if model not in ("mlp", "cnn"):  # checked before importing torch, so a typo is answered at once
        raise typer.BadParameter(f"there is no model {model!r}; use --model mlp or --model cnn.")
    if data not in ("full", "sample", "auto"):
        raise typer.BadParameter(f"--data is full, sample or auto, not {data!r}.")
    if precision not in ("auto", "fp32", "bf16"):
        raise typer.BadParameter(f"--precision is auto, fp32 or bf16, not {precision!r}.")
    from .projects import Config, run
    config = Config(dataset=dataset, model=model, data=data, data_dir=str(data_dir) if data_dir else None,
                    out=str(out) if out else "", resume=resume, threads=threads, device=device,
                    precision=precision, mirror_test=mirror_test)
    if epochs is not None:
        config.epochs = epochs
    console = err_console
    try:
        if as_json:
            report = run(config)
        else:
            with EpochProgress(console, config.epochs) as progress:
                console.print(f"Training a {model.upper()} on {dataset} (out: {config.out_dir()}). Ctrl+C stops; "
                              f"--resume continues.", highlight=False)
                report = run(config, progress)
    except KeyboardInterrupt:
        err_console.print(f"\nInterrupted. Every finished epoch is saved in {config.out_dir() / 'last.pt'}; "
                          f"continue with the same command and --resume.", highlight=False)
        raise typer.Exit(130) from None
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        console.print(f"Data: {report.data} ({report.sizes['train']:,} training, {report.sizes['val']:,} "
                      f"validation, {report.sizes['test']:,} test images) · device {report.device}, "
                      f"{report.threads} thread{'' if report.threads == 1 else 's'}, {report.precision}", highlight=False)
        if data == "auto" and "shipped sample" in report.data:
            console.print(f"The full {dataset} is not on this machine, so this trained on the shipped sample. "
                          f"`torchtutor data status` says where it looks and how to get the full set.",
                          highlight=False)
        _report(Console(), report)


def _project_error_types():
    from .data import DataError
    from .projects import ProjectError

    return ProjectError, DataError


#: A ProjectError or DataError prints its one paragraph and exits 2.
_project_errors = paragraph_errors(_project_error_types)

#: The project commands: (dataset and command name, default --model, the command's help).
PROJECTS = [
    ("mnist", "mlp", "Handwritten digits: the lesson's classifier end to end (`--model mlp` reaches about 98% on the "
                     "full set)."),
    ("fashion-mnist", "cnn", "Zalando's clothes: the capstone pipeline (checkpoints, early stopping, per-class "
                             "accuracy, figures)."),
]


def _project_command(dataset: str, default_model: str, help_text: str) -> None:
    @project_app.command(dataset, help=help_text)
    @_project_errors
    def command(model: ModelOpt = default_model, epochs: EpochsOpt = None, data: DataOpt = "auto",
                data_dir: DataDirOpt = None, out: OutOpt = None, resume: ResumeOpt = False,
                threads: ThreadsOpt = None, device: DeviceOpt = None, precision: PrecisionOpt = "auto",
                mirror_test: MirrorOpt = True, as_json: JsonOpt = False):
        _train(dataset, model, epochs, data, data_dir, out, resume, threads, device, precision, mirror_test,
               as_json)


for _dataset, _model, _help in PROJECTS:
    _project_command(_dataset, _model, _help)

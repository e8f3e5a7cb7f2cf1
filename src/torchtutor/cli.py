"""The ``torchtutor`` command line. Thin: parse, call the layers, render.

Every command that a program might consume has ``--json``. Errors the learner can fix
(a missing workspace, a broken course file, a bad argument) print one paragraph and
exit 2; they never print a traceback.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from . import render
from .curriculum import CourseError, load_or_raise
from .workspace import Workspace, WorkspaceError, open_workspace
from .workspace.core import DEFAULT_DIR, BadPathError, discover

app = typer.Typer(
    name="torchtutor",
    help="A local, self-paced course in PyTorch fundamentals. Start with `torchtutor start`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
curriculum_app = typer.Typer(help="Validate the course and generate its documents.", no_args_is_help=True)
app.add_typer(curriculum_app, name="curriculum")
from .cli_data import data_app  # noqa: E402  (data and project commands live in their own modules)
from .cli_project import project_app  # noqa: E402

app.add_typer(data_app, name="data")
app.add_typer(project_app, name="project")
from .cli_notebook import notebook as _notebook  # noqa: E402

app.command("notebook")(_notebook)

console = Console()
err_console = Console(stderr=True)


class UsageError(Exception):
    """A mistake in how a command was called; printed as one paragraph, exit 2."""


# Options shared by many commands. New commands use these (and the Annotated style) too.
WorkspaceOpt = Annotated[Optional[Path], typer.Option(
    "--workspace", "-w", show_default=False,
    help="The workspace folder (default: $TORCHTUTOR_WORKSPACE, else the nearest folder above with .torchtutor/).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ExerciseArg = Annotated[Optional[str], typer.Argument(show_default=False,
                                                      help="Exercise id or file (default: the first one not done).")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", show_default=False,
                                                   help="Write to this file instead of stdout.")]
ModuleArg = Annotated[str, typer.Argument(help="Module number or slug, e.g. 2.1.")]


@app.callback()
def _root(ctx: typer.Context, workspace: WorkspaceOpt = None):
    ctx.obj = {"workspace": workspace}


def workspace_dir(ctx: typer.Context, workspace: Optional[Path] = None) -> Optional[Path]:
    """The ``--workspace`` a command was given: after the subcommand, else before it, else None."""
    if workspace is not None:
        return workspace
    root = ctx.find_root()
    return (root.obj or {}).get("workspace") if root is not None else None


def _ws(ctx: typer.Context, workspace: Optional[Path] = None, notices: bool = True) -> Workspace:
    ws = open_workspace(workspace_dir(ctx, workspace))
    if notices:
        _show_notices(ws)
    return ws


def _show_notices(ws: Workspace) -> None:
    """Print, once, what the learner must know before anything else (a recovered database)."""
    for text in ws.new_notices():
        render.notice(err_console, text)


def _runner():
    from .runner import Runner

    return Runner()


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def _show(data, as_json: bool, render_with) -> None:
    """``data`` as JSON on stdout with --json, else drawn by ``render_with(console, data)``."""
    if as_json:
        _print_json(data)
    else:
        render_with(console, data)


# --------------------------------------------------------------------------- learner commands
@app.command()
def start(ctx: typer.Context,
          directory: Annotated[Optional[Path], typer.Argument(
              show_default=False,
              help=f"Where to create the course (default: the current workspace, else ./{DEFAULT_DIR}).")] = None,
          no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open the lesson in a web browser.")] = False,
          no_watch: Annotated[bool, typer.Option("--no-watch", help="Set up and exit instead of watching for saves.")] = False,
          no_serve: Annotated[bool, typer.Option("--no-serve", help="No web server: write a static lesson page "
                                                 "and show verdicts in this terminal only.")] = False,
          port: Annotated[Optional[int], typer.Option("--port", "-p", show_default=False, min=0, max=65535,
                                                      help="Port for the web reader (see `torchtutor serve`).")] = None,
          workspace: WorkspaceOpt = None):
    """Create (or reopen) your workspace, open the course in your browser and check exercises as you save them."""
    if directory is None:
        directory = workspace_dir(ctx, workspace)
    if directory is None:
        try:
            directory = discover(None)
        except BadPathError:
            raise
        except WorkspaceError:
            directory = Path.cwd() / DEFAULT_DIR
    ws, written = Workspace.create(directory)
    _show_notices(ws)
    lesson = ws.next_lesson()
    render.welcome(console, ws, lesson, written)
    if not no_serve and not no_watch:
        from .cli_serve import serve_workspace

        serve_workspace(ws, port=port, open_browser=not no_browser)
        return
    from .web.reader import open_lesson, write_lesson

    page, opened = (write_lesson(ws, lesson), False) if no_browser else open_lesson(ws, lesson)
    if opened:
        console.print(f"The lesson is open in your browser ({page}).")
    else:
        console.print(f"The lesson page is at {page} (or read it here with `torchtutor lesson`).")
    if no_watch:
        return
    _watch_loop(ws, as_json=False)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False, workspace: WorkspaceOpt = None):
    """List every exercise in course order, with its file and status."""
    ws = _ws(ctx, workspace)
    entries = ws.entries()
    if as_json:
        _print_json([e.to_dict() for e in entries])
    else:
        render.exercise_table(console, entries, ws.root)


@app.command()
def check(ctx: typer.Context, exercise: ExerciseArg = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
          workspace: WorkspaceOpt = None):
    """Check one exercise now. Exit status 0 if it passed, 1 if not."""
    ws = _ws(ctx, workspace)
    lesson, ex = ws.resolve(exercise)
    with _runner() as runner:
        verdict = ws.check(lesson, ex, runner)
    if as_json:
        _print_json(verdict.to_dict())
    else:
        render.verdict(console, verdict)
    raise typer.Exit(0 if verdict.passed else 1)


def _watch_loop(ws: Workspace, as_json: bool) -> None:
    from .workspace.core import watch

    def show(lesson, ex, verdict):
        if as_json:
            sys.stdout.write(verdict.to_json() + "\n")
            sys.stdout.flush()
        else:
            render.verdict(console, verdict)
            sys.stdout.flush()  # an editor or a pipe reading our output sees each verdict at once

    if not as_json:
        console.print(f"Watching {ws.root} — save an exercise file to check it. Press Ctrl+C to stop.")
    with _runner() as runner:
        try:
            watch(ws, runner, show)
        except KeyboardInterrupt:
            if not as_json:
                console.print("Stopped watching. Your progress is saved.")


@app.command()
def watch(ctx: typer.Context,
          as_json: Annotated[bool, typer.Option("--json", help="Print one JSON verdict per line.")] = False,
          workspace: WorkspaceOpt = None):
    """Re-check an exercise every time you save it."""
    _watch_loop(_ws(ctx, workspace), as_json)


@app.command()
def hint(ctx: typer.Context, exercise: ExerciseArg = None, workspace: WorkspaceOpt = None):
    """Show the next hint. The first one fits the mistake your last check found."""
    ws = _ws(ctx, workspace)
    lesson, ex = ws.resolve(exercise)
    render.hint(console, ws.full_id(lesson, ex), ws.hint(lesson, ex))


@app.command()
def solution(ctx: typer.Context, exercise: ExerciseArg = None, workspace: WorkspaceOpt = None):
    """Print the reference solution (to stdout) and why it works (to stderr). The reveal is recorded."""
    ws = _ws(ctx, workspace)
    lesson, ex = ws.resolve(exercise)
    source, why = ws.solution(lesson, ex)
    sys.stdout.write(source)
    sys.stdout.flush()
    render.why(err_console, why)


@app.command()
def reset(ctx: typer.Context,
          exercise: Annotated[str, typer.Argument(help="Exercise id or file to restore to its starter.")],
          workspace: WorkspaceOpt = None):
    """Restore an exercise file to its starter; your version is backed up first."""
    ws = _ws(ctx, workspace)
    lesson, ex = ws.resolve(exercise)
    done = ws.reset(lesson, ex)
    for note in done.notes:
        console.print(note, highlight=False, soft_wrap=True)
    console.print(f"Restored {done.path}.", highlight=False, soft_wrap=True)
    if done.backup:
        console.print(f"Your previous version is saved at {done.backup}.", highlight=False, soft_wrap=True)


@app.command()
def progress(ctx: typer.Context, as_json: JsonOpt = False, workspace: WorkspaceOpt = None,
             acknowledge: Annotated[bool, typer.Option(
                 "--acknowledge", help="Stop showing the notices at the top (e.g. a recovered progress database).")] = False):
    """Show lessons, exercises and concepts with their status."""
    ws = _ws(ctx, workspace, notices=False)
    ws.new_notices()  # marked as shown, not printed: progress shows every notice as its banner, once
    if acknowledge:
        count = ws.acknowledge_notices()
        err_console.print(f"Acknowledged {count} notice{'s' if count != 1 else ''}." if count else "There were no notices.")
    data = ws.progress()
    _show(data, as_json, render.progress)


@app.command()
def lesson(ctx: typer.Context,
           slug: Annotated[Optional[str], typer.Argument(show_default=False,
                                                         help="Lesson slug or number (default: your next lesson).")] = None,
           workspace: WorkspaceOpt = None):
    """Read a lesson in the terminal."""
    course = load_or_raise()
    if slug is None:
        try:
            chosen = _ws(ctx, workspace).next_lesson()
        except WorkspaceError:
            chosen = course.lessons[0]
    else:
        chosen = course.lesson(slug) or next((l for l in course.lessons if l.number == slug), None)
        if chosen is None:
            names = ", ".join(l.slug for l in course.lessons)
            raise UsageError(f"There is no lesson {slug!r}. The lessons are: {names}.")
    render.lesson(console, chosen)


# --------------------------------------------------------------------------- widgets and quiz
@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def widget(ctx: typer.Context,
           name: Annotated[Optional[str], typer.Argument(show_default=False,
                                                         help="Widget name, e.g. autograd-explorer (see --list).")] = None,
           list_widgets: Annotated[bool, typer.Option("--list", help="List the widgets and their parameters.")] = False,
           as_json: Annotated[bool, typer.Option("--json", help="Print the widget's data as JSON.")] = False):
    """Run a lesson widget: `torchtutor widget NAME [--param value ...]`, e.g. autograd-explorer --x -1."""
    from .widgets import WidgetError, get, list_widgets as all_widgets

    if list_widgets or name is None:
        _show(all_widgets(), as_json, render.widget_list)
        return
    try:
        chosen = get(name)
        kwargs = chosen.parse_args(list(ctx.args))
        if chosen.stream is not None:     # a training run: a progress bar while it trains
            data = render.follow_widget(chosen.run_stream(**kwargs))
        else:
            data = chosen.run(**kwargs)
    except WidgetError as exc:
        raise UsageError(str(exc)) from None
    _show(data, as_json, render.widget)


@app.command()
def quiz(ctx: typer.Context,
         lesson_key: Annotated[Optional[str], typer.Argument(
             metavar="LESSON", show_default=False, help="Lesson slug or number (default: your next lesson).")] = None,
         check_id: Annotated[Optional[str], typer.Option("--check", show_default=False,
                                                         help="Only this check (ids: --json).")] = None,
         answer: Annotated[Optional[str], typer.Option(
             "--answer", show_default=False, help="Answer --check without prompting and print the result.")] = None,
         mark: Annotated[Optional[str], typer.Option(
             "--mark", show_default=False, help="With --answer to a transfer question: got-it, partly or missed.")] = None,
         as_json: Annotated[bool, typer.Option(
             "--json", help="Print JSON: the checks (no answers), or the --answer result.")] = False,
         root: Annotated[Optional[Path], typer.Option(
             "--root", hidden=True, help="Course folder (default: the packaged course).")] = None,
         workspace: WorkspaceOpt = None):
    """Answer a lesson's checks: predict then run the code, explain in your own words, multiple choice."""
    from .service import evaluate_through, find_root
    from .workspace.quiz import QuizError, open_quiz

    try:
        q = open_quiz(lesson_key, workspace_dir(ctx, workspace), course_root=root, check_id=check_id)
        served = find_root(workspace_dir(ctx, workspace))[0] if q.recording and root is None else None
        if served is not None:  # predict checks run in a running server's warm runner, if one serves it
            q.evaluate = evaluate_through(served)
        checks = [q.check(check_id)] if check_id else q.checks
        if answer is not None:
            if not check_id:
                raise QuizError("--answer needs --check ID to say which check it answers; "
                                f"`torchtutor quiz {q.lesson.slug} --json` lists the ids.")
            result = q.answer(checks[0], answer, mark).to_dict()
            if as_json:
                _print_json(result)
            else:
                render.quiz_result(console, result)
        elif mark is not None:
            raise QuizError("--mark goes with --answer, e.g. --check ID --answer TEXT --mark got-it.")
        elif as_json:
            _print_json(q.to_dict(checks))
        else:
            _quiz_loop(q, checks)
    except QuizError as exc:
        raise UsageError(str(exc)) from None


def _quiz_loop(q, checks) -> None:
    """Ask each check in turn; a typo is asked again, an empty answer skips, EOF or Ctrl+C stops."""
    from .workspace.quiz import AnswerFormatError, QuizError, parse_mark, stdin_is_interactive

    if not checks:
        raise QuizError(f"Lesson {q.lesson.slug} has no checks yet.")
    interactive, pending = stdin_is_interactive(), []
    if not interactive:  # read ahead so that empty input fails before anything is shown
        try:
            pending.append(input())
        except EOFError:
            raise QuizError("There is no answer to read: standard input is not a terminal and is empty. Run "
                            "`torchtutor quiz` in a terminal, answer one check with `torchtutor quiz LESSON "
                            "--check ID --answer TEXT`, or list the checks with `--json`.") from None

    def read(prompt: str) -> str:
        if interactive:
            return console.input(prompt, markup=False)
        line = pending.pop() if pending else input()
        console.print(prompt + line, markup=False, highlight=False)  # echo piped answers into the transcript
        return line

    def ask(check):
        if check.kind == "transfer":
            lines = []
            while line := read("> ").rstrip():
                lines.append(line)
            if not lines:
                return None
            render.quiz_model_answer(console, q.reveal(check))
            while True:
                try:
                    chosen = parse_mark(read("How did you do? 1 got it · 2 partly · 3 missed: "))
                    return q.transfer(check, "\n".join(lines), chosen)
                except AnswerFormatError as exc:
                    console.print(str(exc), style="yellow", markup=False)
        while True:
            text = read("Your prediction: " if check.kind == "predict" else "Your choice: ")
            if not text.strip():
                return None
            try:
                return q.answer(check, text)
            except AnswerFormatError as exc:
                console.print(str(exc), style="yellow", markup=False)

    shown = q.to_dict(checks)
    render.quiz_intro(console, shown)
    results: list[dict] = []
    try:
        for index, (check, public) in enumerate(zip(checks, shown["checks"]), start=1):
            render.quiz_check(console, public, index, len(checks))
            result = ask(check)
            if result is None:
                console.print("Skipped.", style="dim")
                continue
            results.append(result.to_dict())
            render.quiz_result(console, results[-1])
    except EOFError:
        console.print("Input ended.", style="dim")
    except KeyboardInterrupt:
        console.print("\nStopped.", style="dim")
    render.quiz_summary(console, results, q.recording)


# --------------------------------------------------------------------------- curriculum commands
@curriculum_app.command("lint")
def curriculum_lint(root: Annotated[Optional[Path], typer.Option(
                        "--root", show_default=False, help="Course folder (default: the packaged course).")] = None,
                    as_json: JsonOpt = False):
    """Validate the course. One `file:line: problem` row per problem; exit 1 if any is an error (not a warning)."""
    from .curriculum.lint import errors, lint
    from .curriculum.loader import missing_root

    if (missing := missing_root(root)) is not None:
        raise missing
    problems = lint(root)
    failing = errors(problems)
    if as_json:
        _print_json([{"file": str(p.file), "line": p.line, "message": p.message,
                      "severity": "warning" if p.warning else "error"} for p in problems])
    else:
        for p in problems:
            sys.stdout.write(f"{p}\n")
        if not failing:
            warned = len(problems)
            console.print("The course is valid." + (f" ({warned} warning{'s' if warned != 1 else ''})" if warned else ""))
    raise typer.Exit(1 if failing else 0)


@curriculum_app.command("new")
def curriculum_new(slug: Annotated[str, typer.Argument(help="The lesson's slug, e.g. saving-and-loading.")],
                   module: Annotated[str, typer.Option("--module", "-m", help="Module number or slug, e.g. 2.3.")],
                   title: Annotated[Optional[str], typer.Option(
                       "--title", show_default=False, help="The lesson's title (default: the planned title, else the slug).")] = None,
                   root: Annotated[Optional[Path], typer.Option(
                       "--root", show_default=False, help="Course folder (default: the packaged course).")] = None):
    """Scaffold a lesson folder that lints clean and add it to its module's lessons."""
    from .curriculum.scaffold import ScaffoldError, new_lesson

    try:
        made = new_lesson(slug, module, root, title)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    render.scaffolded(console, made)


@curriculum_app.command("concepts")
def curriculum_concepts(as_json: JsonOpt = False):
    """The concept index: name, depth, lesson and what exercises it."""
    from .curriculum.reports import concept_index

    rows = concept_index(load_or_raise())
    if as_json:
        _print_json(rows)
    else:
        render.concepts(console, rows)


@curriculum_app.command("prove")
def curriculum_prove(lesson: Annotated[Optional[str], typer.Argument(
                         show_default=False, help="Lesson slug (default: every lesson).")] = None,
                     as_json: JsonOpt = False):
    """Prove every exercise both ways through the real runner: starter fails, solution passes."""
    from .workspace.prove import prove

    course = load_or_raise()
    if lesson and not course.lesson(lesson):
        raise UsageError(f"There is no lesson {lesson!r}. The lessons are: {', '.join(l.slug for l in course.lessons)}.")
    with _runner() as runner:
        results = prove(course, runner, [lesson] if lesson else None)
    if as_json:
        _print_json([r.to_dict() for r in results])
    else:
        render.proofs(console, results)
    raise typer.Exit(0 if all(r.ok for r in results) else 1)


def _generated(kind: str, module: Optional[str], output: Optional[Path], notebooks: Optional[Path] = None) -> None:
    from .curriculum import reports

    course = load_or_raise()
    if kind == "summary":
        if notebooks is not None and not notebooks.is_dir():
            raise UsageError(f"--notebooks {notebooks}: there is no such folder. Pass the folder that holds the "
                             "lesson notebooks (notebooks/ in a source checkout), or leave the option out.")
        text = reports.series_summary(course, notebooks)
    else:
        chosen = course.module(module or "")
        if chosen is None:
            names = ", ".join(m.number for m in course.modules)
            raise UsageError(f"There is no module {module!r}. The modules are: {names}.")
        text = reports.module_record(course, chosen) if kind == "record" else reports.module_plan(course, chosen)
    if output:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"Wrote {output}.")
    else:
        sys.stdout.write(text)


@curriculum_app.command("record")
def curriculum_record(module: ModuleArg, output: OutputOpt = None):
    """Generate the module record (concept index, per-lesson summaries, mental models) from the course data."""
    _generated("record", module, output)


@curriculum_app.command("plan")
def curriculum_plan(module: ModuleArg, output: OutputOpt = None):
    """Generate the module plan (lesson sequence, cognitive load, misconceptions) from the course data."""
    _generated("plan", module, output)


@curriculum_app.command("summary")
def curriculum_summary(output: OutputOpt = None,
                       notebooks: Annotated[Optional[Path], typer.Option(
                           "--notebooks", help="Folder of lesson notebooks to check for the outstanding "
                                               "deliverables (default: notebooks/ of a source checkout).")] = None):
    """Generate the series summary (status, goal, rolled-up concepts, mental models, exclusions, completion
    notes and outstanding deliverables) from the course data."""
    _generated("summary", None, output, notebooks)


# --------------------------------------------------------------------------- doctor
from .cli_doctor import CONTEXT as _DOCTOR_CONTEXT, DoctorCallError, doctor as _doctor  # noqa: E402

app.command("doctor", context_settings=_DOCTOR_CONTEXT)(_doctor)


# --------------------------------------------------------------------------- serve (the web reader)
from .cli_serve import register as _register_serve  # noqa: E402 - needs the names above

_register_serve(app)


# --------------------------------------------------------------------------- entry point
def main() -> None:
    """Console-script entry point: known problems become one paragraph and exit 2."""
    from .service import try_service  # a running `torchtutor serve` answers check/hint/quiz --answer warm

    answered = try_service(sys.argv[1:])
    if answered is not None:
        sys.exit(answered)
    try:
        app()
    except (WorkspaceError, CourseError, UsageError, DoctorCallError) as exc:
        err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except Exception as exc:  # a bug in torchtutor: keep the trace, show one paragraph
        from .progress import ProgressError

        if isinstance(exc, ProgressError):
            err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
            sys.exit(2)
        log = Path.home() / ".cache" / "torchtutor" / "crash.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
            where = f" The details are in {log}; please include them if you report it."
        except OSError:
            where = ""
        err_console.print(f"[bold red]torchtutor hit an internal error:[/] {type(exc).__name__}: {exc}.{where}",
                          highlight=False)
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    main()

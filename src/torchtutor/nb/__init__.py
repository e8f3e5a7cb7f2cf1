"""torchtutor in Jupyter and Colab: the notebook front end.

    from torchtutor import nb
    ex = nb.lesson("autograd")

    %%exercise accumulation-trap          # at the top of an exercise cell: saves the cell
    ...                                   # into the workspace (nothing runs in the kernel)

    ex.accumulation_trap.check()          # the lesson's own checker, through the sandboxed runner
    ex.accumulation_trap.hint()           # the next rung of the same hint ladder as the CLI
    ex.accumulation_trap.solution()       # the reference solution and why (the reveal is recorded)
    ex.checks.predict_chain_rule.answer("42")   # an inline check, recorded like `torchtutor quiz`

    %%doctor                              # run a cell's training code under torchtutor doctor

It is a thin front end over the ``workspace`` layer, like the CLI: the same checkers, the
same verdicts and hint ladder, the same progress store (a workspace folder next to the
notebook, ``./torchtutor-workspace``, or ``$TORCHTUTOR_WORKSPACE``).

Three design points keep a check honest in a notebook:

- the code that is checked is the cell the learner wrote, saved to a file by ``%%exercise``;
  no ``.ipynb`` on disk is needed, so it works on Colab;
- the check runs that file in the runner's sandboxed child, never in the kernel, so whatever
  the notebook's globals hold cannot fool it or break it, and an infinite loop ends in a
  time-out verdict instead of a hung kernel;
- every verdict renders as HTML in Jupyter and as plain text anywhere else.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

from .display import Shown, hint_view, quiz_view, solution_view, verdict_view

DEFAULT_FOLDER = "torchtutor-workspace"

__all__ = ["lesson", "doctor", "expect_error", "workspace_root", "Lesson", "Exercise"]

_runner = None
_workspace = None


def workspace_root() -> Path:
    """Where the notebook's progress lives: ``$TORCHTUTOR_WORKSPACE`` or a folder next to
    the notebook (the kernel's working folder)."""
    from ..workspace.core import ENV_VAR

    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else Path.cwd() / DEFAULT_FOLDER


def _open_workspace():
    global _workspace
    if _workspace is None:
        from ..workspace.core import Workspace

        _workspace, _ = Workspace.create(workspace_root())
    return _workspace


_runner_lock = threading.Lock()


def _get_runner():
    """One warm runner per kernel, closed when Python exits. ``nb.lesson()`` starts it in the
    background, so it is warm by the time the learner reaches the first exercise."""
    global _runner
    with _runner_lock:
        if _runner is None:
            import atexit

            from ..runner import Runner

            _runner = Runner()
            _runner.start()
            atexit.register(_runner.close)
        return _runner


def _warm_up() -> None:
    def start() -> None:
        try:
            _get_runner()
        except Exception:  # noqa: BLE001 - a failed warm-up is retried, and reported, by the first check
            pass

    threading.Thread(target=start, name="torchtutor-warm-up", daemon=True).start()


def _attr(ident: str) -> str:
    return ident.replace("-", "_")


class Exercise:
    """One exercise of a lesson, as the notebook sees it."""

    def __init__(self, lesson, exercise):
        self._lesson = lesson
        self._exercise = exercise
        self.id = f"{lesson.slug}/{exercise.id}"
        self.title = exercise.title

    def __repr__(self) -> str:
        return f"<exercise {self.id}: {self.title}. Methods: .check(), .hint(), .solution(), .reset(), .path>"

    @property
    def path(self) -> Path:
        """The workspace file that ``%%exercise`` writes and the checker reads."""
        return _open_workspace().exercise_path(self._lesson, self._exercise)

    def save(self, source: str) -> Path:
        """Write ``source`` as the learner's version of this exercise (what ``%%exercise`` does),
        through the workspace's one safe write, as the web editor's saves go."""
        return _open_workspace().write_exercise(self._lesson, self._exercise, source)

    def check(self) -> Shown:
        """Check the saved exercise with the lesson's own checker, through the sandboxed
        runner; the attempt is recorded in the progress store."""
        ws = _open_workspace()
        verdict = ws.check(self._lesson, self._exercise, _get_runner())
        return verdict_view(verdict)

    def hint(self) -> Shown:
        """The next rung of the hint ladder; the first one fits the last failure."""
        ws = _open_workspace()
        return hint_view(self.id, ws.hint(self._lesson, self._exercise))

    def solution(self) -> Shown:
        """The reference solution and why it works. Revealing it is recorded."""
        ws = _open_workspace()
        source, why = ws.solution(self._lesson, self._exercise)
        return solution_view(self.id, source, why)

    def reset(self) -> Shown:
        """Put the starter back in the workspace file (your version is backed up)."""
        ws = _open_workspace()
        done = ws.reset(self._lesson, self._exercise)
        note = f" Your version is kept in {done.backup}." if done.backup else ""
        extra = "".join(f" {n}" for n in done.notes)
        return Shown(f"{self.id}: the starter is back in {self.path}.{note}{extra}", None)


class CheckItem:
    """One of the lesson's checks (predict-and-verify, transfer, multiple choice)."""

    def __init__(self, lesson, check):
        self._lesson = lesson
        self._check = check
        self.id = check.id

    def __repr__(self) -> str:
        return f"<check {self._lesson.slug}/{self.id} ({self._check.kind}). Answer it with .answer(...)>"

    def answer(self, given: Any = None, mark: str | None = None) -> Shown:
        """Answer the check. With nothing given it shows the question; a predict check then
        runs the real code and compares; a transfer answer is shown beside the model answer
        and is marked by you (``mark="got it" | "partly" | "missed"``). Recorded like `quiz`."""
        from ..service import evaluate_through
        from ..workspace.quiz import AnswerFormatError, Quiz, runner_evaluate

        ws = _open_workspace()
        # a predict check's code runs in a running server's warm runner, else in this kernel's
        # runner: in a sandboxed child either way, never in the kernel
        def in_the_kernels_runner(lesson, check):
            return runner_evaluate(_get_runner())(lesson, check)

        evaluate = evaluate_through(ws.root, fallback=in_the_kernels_runner)
        quiz = Quiz(ws.course, self._lesson, ws.store, evaluate=evaluate)
        if given is None or (isinstance(given, str) and not given.strip()):
            return quiz_view(self._lesson, self._check, None, asked=True)
        text = given if isinstance(given, str) else _as_answer_text(given)
        try:
            result = quiz.answer(self._check, text, mark)
        except AnswerFormatError as exc:
            return Shown(f"{exc}", None)
        return quiz_view(self._lesson, self._check, result)


def _as_answer_text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class _Checks:
    def __init__(self, lesson):
        for check in lesson.checks:
            setattr(self, _attr(check.id), CheckItem(lesson, check))
        self._ids = [c.id for c in lesson.checks]

    def __repr__(self) -> str:
        return "checks: " + ", ".join(_attr(i) for i in self._ids)


class Lesson:
    """A lesson's exercises and checks, each an attribute named after its id
    (``accumulation-trap`` becomes ``.accumulation_trap``)."""

    def __init__(self, lesson):
        self._lesson = lesson
        self.slug = lesson.slug
        self.checks = _Checks(lesson)
        self._ids = []
        for exercise in lesson.exercises:
            setattr(self, _attr(exercise.id), Exercise(lesson, exercise))
            self._ids.append(exercise.id)

    def __repr__(self) -> str:
        names = ", ".join(_attr(i) for i in self._ids)
        return f"<lesson {self._lesson.number} {self.slug}: exercises {names}; checks in .checks>"

    def exercise(self, exercise_id: str) -> Exercise:
        return getattr(self, _attr(exercise_id))

    def progress(self) -> Shown:
        """This lesson's exercises and their status."""
        ws = _open_workspace()
        rows = [e for e in ws.entries() if e.lesson == self.slug]
        text = "\n".join(f"  {'✓' if e.status == 'done' else '·'} {e.id}  {e.status}" for e in rows)
        return Shown(f"{self._lesson.number} {self.slug}\n{text}", None)


def lesson(slug: str) -> Lesson:
    """Open a lesson by slug or number (``"autograd"``, ``"2.1.2"``) in the notebook's workspace."""
    from ..workspace.quiz import QuizError, find_lesson

    ws = _open_workspace()
    try:
        found = find_lesson(ws.course, slug)
    except QuizError as exc:
        raise LookupError(str(exc)) from None
    _register_magics()
    _warm_up()
    return Lesson(found)


@contextlib.contextmanager
def expect_error(kind: type[BaseException] = Exception):
    """Run a negative example: the error it raises is shown, and the notebook carries on.
    If nothing is raised, that is said too."""
    try:
        yield
    except kind as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"{type(exc).__name__} (as expected): {message}")
    else:
        print(f"No {kind.__name__} was raised this time.")


def doctor(script: str | os.PathLike | None = None, *, source: str | None = None, max_seconds: float = 60.0) -> Shown:
    """Run ``torchtutor doctor`` on a script file, or on ``source`` (a cell's code), and show
    its report. The script runs in a child process, never in the kernel."""
    from ..diagnose.doctor import DoctorUsageError, run_doctor
    from ..diagnose.render import report_text

    if (script is None) == (source is None):
        raise ValueError("Pass either a script path or source=... (the code of a cell).")
    with tempfile.TemporaryDirectory(prefix="torchtutor-doctor-") as tmp:
        path = Path(script) if script is not None else Path(tmp) / "cell.py"
        if source is not None:
            path.write_text(source, encoding="utf-8")
        try:
            report = run_doctor(path, max_seconds=max_seconds)
        except DoctorUsageError as exc:
            return Shown(str(exc), None)
        return Shown(report_text(report), None)


# --------------------------------------------------------------------------- IPython magics

_magics_registered = False


def _register_magics() -> None:
    global _magics_registered
    if _magics_registered:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None:
        return
    ip.register_magic_function(_exercise_magic, magic_kind="cell", magic_name="exercise")
    ip.register_magic_function(_doctor_magic, magic_kind="cell", magic_name="doctor")
    _magics_registered = True


def _exercise_magic(line: str, cell: str):
    """%%exercise ID: save this cell as your solution to exercise ID of the open lesson."""
    from ..workspace.core import WorkspaceError

    key = line.strip()
    ws = _open_workspace()
    try:
        found_lesson, found = ws.resolve(key)
    except WorkspaceError as exc:
        print(exc, file=sys.stderr)
        return None
    from ..workspace.safe_write import SafeWriteError

    try:
        path = Exercise(found_lesson, found).save(cell)
    except SafeWriteError as exc:
        print(exc, file=sys.stderr)
        return None
    print(f"Saved to {path}. Run the next cell to check it.")
    return None


def _doctor_magic(line: str, cell: str):
    """%%doctor: run this cell's code under torchtutor doctor and show the report."""
    try:
        shown = doctor(source=cell)
    except Exception:  # noqa: BLE001 - a notebook front end reports, it does not crash the kernel
        traceback.print_exc(limit=1)
        return None
    from IPython.display import display

    display(shown)
    return None


_register_magics()


# --------------------------------------------------------------------------- widgets


def widget(name: str, **params: Any):
    """An interactive widget in Jupyter (``nb.widget("autograd-explorer")``): the web reader's
    own front end (an anywidget module), with its numbers computed here by the same
    ``torchtutor.widgets`` function that ``torchtutor widget NAME`` runs. Without anywidget
    (``pip install anywidget``) the widget's numbers are shown as text instead."""
    from ..widgets import get

    chosen = get(name)
    defaults = {p.name: (list(p.default) if isinstance(p.default, tuple) else p.default) for p in chosen.params}
    defaults.update(params)
    try:
        import anywidget
        import traitlets
    except ImportError:  # the same text `torchtutor widget NAME` prints, and the numbers as .data
        import io

        from rich.console import Console

        from .. import render

        data = chosen.run(**chosen.json_kwargs(defaults))
        console = Console(record=True, width=80, file=io.StringIO(), color_system=None)
        render.widget(console, data)
        shown = Shown(console.export_text(), None)
        shown.data = data
        return shown
    from ..web.widget_esm import widget_esm

    class _Widget(anywidget.AnyWidget):
        _esm = widget_esm(name)
        params = traitlets.Dict().tag(sync=True)
        data = traitlets.Dict().tag(sync=True)
        error = traitlets.Unicode("").tag(sync=True)

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._run_id = 0
            self.on_msg(self._message)

        def _message(self, _widget, content, _buffers) -> None:
            if isinstance(content, dict) and content.get("type") == "run":   # "run again", params unchanged
                self._compute(self.params)

        @traitlets.observe("params")
        def _recompute(self, change) -> None:
            self._compute(change["new"])

        def _compute(self, params: dict) -> None:
            from ..widgets import WidgetError

            self._run_id += 1
            try:
                if chosen.stream is None:
                    self.data = chosen.run(**chosen.json_kwargs(params))
                else:
                    self._follow(chosen.run_stream(**chosen.json_kwargs(params)), self._run_id)
                self.error = ""
            except WidgetError as exc:
                self.error = str(exc)

        def _follow(self, snapshots, run_id: int) -> None:
            """A training run in a background thread: the cell returns at once and the widget's
            drawing grows with each snapshot; a newer run (or the same one again) stops this one."""
            import threading

            def work() -> None:
                try:
                    for snapshot in snapshots:
                        if run_id != self._run_id:
                            return
                        self.data = snapshot
                except Exception as exc:  # noqa: BLE001 - shown in the widget, never lost in a thread
                    self.error = f"The run stopped: {exc}"

            threading.Thread(target=work, name="torchtutor-widget", daemon=True).start()

    shown = _Widget()
    shown.params = defaults
    return shown

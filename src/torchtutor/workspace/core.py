"""Workspace discovery, creation, and the per-exercise operations."""

from __future__ import annotations

import errno
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..checks.verdict import Verdict, missing_file_verdict
from ..curriculum import Course, Exercise, Lesson, load_or_raise
from ..curriculum.files import exercise_files
from ..pysource import SourceError, declared_encoding, decode_source, encode_source
from .safe_write import SafeWriteError, Written, os_reason, safe_write
from ..service import ENV_VAR, MARKER, find_root  # the light lookup the warm service's client shares

if TYPE_CHECKING:  # the runner and the progress store are imported when first used
    from ..progress import ProgressStore
    from ..runner import CheckRequest, Runner

DEFAULT_DIR = "torchtutor-course"


class WorkspaceError(Exception):
    """A problem with the workspace, explained in one paragraph."""


class BadPathError(WorkspaceError):
    """A workspace path that can never work (too long, a NUL byte, a file where a folder
    belongs): unlike "no workspace here", creating one would not help."""


@dataclass
class Entry:
    """One exercise as ``list`` shows it."""

    id: str
    lesson: str
    title: str
    level: str
    path: str
    status: str  # pending | failing | done

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Reset:
    """What ``reset`` did: the restored file, the backup of the learner's version (None when
    there was no file), and anything else it had to do, in words (a link or a folder in the way)."""

    path: Path
    backup: Path | None
    notes: list[str]


@dataclass
class HintStep:
    rung: int          # 0-based index into the ladder shown so far
    total: int
    text: str
    matched: bool      # True when this rung was chosen because it fits the last failure


def _write(path: Path, data: bytes | str, aside: Path | None = None) -> Written:
    try:
        return safe_write(path, data, aside=aside)
    except SafeWriteError as exc:
        raise WorkspaceError(str(exc)) from None


def explain(course: Course, lesson: Lesson | None, misconception_ids: Iterable[str]) -> list[dict[str, str]]:
    """Why each misconception matters, in words: from the lesson, then the rest of the course
    and its modules, then the mistake catalogue. Ids nothing explains are left out."""
    pools = [lesson.misconceptions] if lesson else []
    pools += [l.misconceptions for l in course.lessons] + [m.misconceptions for m in course.modules]
    out = []
    for mid in misconception_ids:
        found = next((m for pool in pools for m in pool if m.id == mid), None)
        if found is not None:
            out.append({"id": mid, "text": f"Believing “{found.belief}” — {found.truth}"})
            continue
        from .. import diagnose

        try:
            entry = diagnose.get(mid)
        except KeyError:
            continue
        out.append({"id": mid, "text": f"{entry.title}: {entry.explanation}"})
    return out


SOURCES = {"explicit": "--workspace", "env": f"${ENV_VAR}", "start": "The folder given to `torchtutor start`"}


def _path_problem(text: str, source: str, exc: BaseException) -> BadPathError:
    """One paragraph for a folder path that cannot be used at all: it names where the path
    came from (an option, a variable, an argument) and what to do."""
    what = SOURCES.get(source, source)
    shown = text if len(text) <= 80 else text[:60] + f"... ({len(text)} characters)"
    if isinstance(exc, ValueError):
        reason = "it contains a NUL byte, which no file name may hold"
    elif getattr(exc, "errno", None) == errno.ENAMETOOLONG:
        longest = max((len(part) for part in Path(text).parts), default=0)
        reason = (f"it is too long for the file system (a folder name may have at most 255 characters; its longest "
                  f"has {longest})" if longest > 255 else "it is too long for the file system")
    else:
        reason = f"it cannot be used ({getattr(exc, 'strerror', None) or exc})"
    fix = f"unset {what} or point it at your course folder" if source == "env" else "give the path of a folder"
    return BadPathError(f"{what} is {shown!r}, and {reason}. Check for a typo or a stray paste and {fix}.")


def usable_folder(text: str | os.PathLike, source: str) -> Path:
    """``text`` as an absolute folder path, or a :class:`WorkspaceError` naming ``source``
    (``explicit``, ``env`` or ``start``) when no folder can ever live there."""
    raw = os.fspath(text)
    try:
        root = Path(raw).expanduser().resolve()
        root.exists()  # stat: an overlong name fails here, not later inside a command
        (root / MARKER).exists()
    except (OSError, ValueError) as exc:
        raise _path_problem(raw, source, exc) from None
    if root.exists() and not root.is_dir():
        new = " (it is created if it does not exist)" if source == "start" else ""
        raise BadPathError(f"{SOURCES.get(source, source)} is {raw!r}, which is a file, not a folder. "
                           f"Give the path of a folder{new}.")
    _marker_is_a_folder(root)
    return root


def _marker_is_a_folder(root: Path) -> None:
    marker = root / MARKER
    if marker.exists() and not marker.is_dir():
        raise BadPathError(f"{marker} is a file, but torchtutor keeps a workspace's progress in a folder of that "
                             f"name. It is not torchtutor's: rename or move that file, then run "
                             f"`torchtutor start {root}` again.")


def _cannot_create(root: Path, exc: OSError, wanted: Path | None = None) -> str:
    if wanted is not None and isinstance(exc, (FileExistsError, NotADirectoryError)):
        # a file where one of the workspace's own folders belongs: name it, not the workspace
        for part in [wanted, *wanted.parents]:
            if part == root.parent:
                break
            if part.exists() and not part.is_dir():
                return (f"{part} is a file, where torchtutor needs a folder. Move or rename that file, then run "
                        f"`torchtutor start {root}` again.")
    return (f"Cannot create the workspace at {root}: {os_reason(exc)}. Pick a folder you can write to, e.g. one in "
            "your home folder.")


def discover(explicit: str | Path | None = None, *, env: dict | None = None, cwd: Path | None = None) -> Path:
    """Find the workspace: ``--workspace``, else ``$TORCHTUTOR_WORKSPACE``, else the
    nearest parent of the current folder that holds ``.torchtutor/``."""
    env = os.environ if env is None else env
    if explicit:
        usable_folder(explicit, "explicit")
    elif env.get(ENV_VAR):
        usable_folder(env[ENV_VAR], "env")
    root, source = find_root(explicit, env, cwd)
    if source == "explicit" and not (root / MARKER).is_dir():
        raise WorkspaceError(f"{root} is not a torchtutor workspace (it has no {MARKER}/ folder). "
                             f"Create one with `torchtutor start {explicit}`.")
    if source == "env" and not (root / MARKER).is_dir():
        raise WorkspaceError(f"${ENV_VAR} points at {root}, which is not a torchtutor workspace. "
                             f"Create one with `torchtutor start {root}`, or unset ${ENV_VAR}.")
    if root is None:
        here = (cwd or Path.cwd()).resolve()
        raise WorkspaceError(f"No torchtutor workspace here: neither {here} nor any folder above it holds {MARKER}/. "
                             "Run `torchtutor start` to create one (or `cd` into yours, or pass --workspace DIR).")
    return root


def open_workspace(explicit: str | Path | None = None, course: Course | None = None) -> "Workspace":
    return Workspace(discover(explicit), course or load_or_raise())


class Workspace:
    def __init__(self, root: Path, course: Course):
        self.root = Path(root)
        self.course = course
        self._store: ProgressStore | None = None

    # ----- creation -------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | Path, course: Course | None = None) -> tuple["Workspace", list[Path]]:
        """Create (or complete) a workspace. Existing learner files are never overwritten.
        Returns the workspace and the files it wrote."""
        root = usable_folder(root, "start")
        try:
            (root / MARKER / "backups").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(_cannot_create(root, exc, root / MARKER / "backups")) from None
        ws = cls(root, course or load_or_raise())
        written = []
        for lesson, ex in ws.course.exercises():
            target = ws.exercise_path(lesson, ex)
            if target.exists():
                continue
            _write(target, exercise_files(lesson, ex).starter.read_bytes())
            written.append(target)
        return ws, written

    # ----- paths ----------------------------------------------------------------------
    def lesson_dir(self, lesson: Lesson) -> Path:
        return self.root / f"{lesson.number}-{lesson.slug}"

    def exercise_path(self, lesson: Lesson, ex: Exercise) -> Path:
        index = lesson.exercises.index(ex) + 1
        return self.lesson_dir(lesson) / f"{index:02d}_{ex.stem}.py"

    @staticmethod
    def full_id(lesson: Lesson, ex: Exercise) -> str:
        return f"{lesson.slug}/{ex.id}"

    # ----- progress -------------------------------------------------------------------
    @property
    def store(self) -> "ProgressStore":
        if self._store is None:
            from ..progress import ProgressStore

            self._store = ProgressStore(self.root / MARKER / "progress.sqlite3")
        return self._store

    def new_notices(self) -> list[str]:
        """Notices for the learner not shown yet (a damaged progress database that was
        recovered), marked as shown: a front end prints each of them once."""
        pending = self.store.notices(unshown=True)
        self.store.mark_notices([i for i, _ in pending])
        return [text for _, text in pending]

    def acknowledge_notices(self) -> int:
        """Dismiss every notice (``progress`` stops showing them); returns how many there were."""
        pending = self.store.notices()
        self.store.mark_notices([i for i, _ in pending], acknowledged=True)
        return len(pending)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # ----- lookup ---------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        statuses = self.store.statuses()
        out = []
        for lesson, ex in self.course.exercises():
            fid = self.full_id(lesson, ex)
            out.append(Entry(id=fid, lesson=lesson.slug, title=ex.title, level=ex.level.value,
                             path=str(self.exercise_path(lesson, ex)), status=statuses.get(fid, "pending")))
        return out

    def resolve(self, key: str | None) -> tuple[Lesson, Exercise]:
        """Find an exercise by full id (``tensors/create-tensors``), bare id if unique,
        file path, or (``None``) the first exercise not yet done."""
        if key is None:
            for entry in self.entries():
                if entry.status != "done":
                    return self.course.find_exercise(entry.id)
            raise WorkspaceError("Every exercise is done. Name one to revisit it, e.g. `torchtutor check tensors/...`; "
                                 "`torchtutor list` shows them all.")
        found = self.course.find_exercise(key)
        if found:
            return found
        candidate = Path(key).expanduser()
        if candidate.suffix == ".py":
            resolved = candidate.resolve()
            for lesson, ex in self.course.exercises():
                if self.exercise_path(lesson, ex).resolve() == resolved:
                    return lesson, ex
        matches = [(l, e) for l, e in self.course.exercises() if e.id == key or e.stem == key]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            ids = ", ".join(self.full_id(l, e) for l, e in matches)
            raise WorkspaceError(f"{key!r} names more than one exercise ({ids}); use the full id.")
        raise WorkspaceError(f"There is no exercise {key!r}. `torchtutor list` shows every exercise id.")

    def by_path(self, path: Path) -> tuple[Lesson, Exercise] | None:
        resolved = Path(path).resolve()
        for lesson, ex in self.course.exercises():
            if self.exercise_path(lesson, ex).resolve() == resolved:
                return lesson, ex
        return None

    def next_lesson(self) -> Lesson:
        """The first lesson with an exercise not yet done (the last lesson when all are)."""
        statuses = self.store.statuses()
        for lesson in self.course.lessons:
            if any(statuses.get(self.full_id(lesson, ex)) != "done" for ex in lesson.exercises):
                return lesson
        return self.course.lessons[-1]

    # ----- operations -----------------------------------------------------------------
    def request(self, lesson: Lesson, ex: Exercise) -> "CheckRequest":
        from ..runner import CheckRequest

        return CheckRequest(exercise_id=self.full_id(lesson, ex), learner_file=str(self.exercise_path(lesson, ex)),
                            checker_file=str(exercise_files(lesson, ex).checker), timeout=ex.timeout,
                            memory_mb=ex.memory_mb)

    def check(self, lesson: Lesson, ex: Exercise, runner: "Runner") -> Verdict:
        """Check one exercise through the runner and record the attempt. The verdict comes
        back with its misconceptions explained (``Verdict.explanations``), so a front end
        only renders it."""
        path = self.exercise_path(lesson, ex)
        if not path.is_file():
            return missing_file_verdict(self.full_id(lesson, ex), path)
        from ..runner import STOPPED

        verdict = runner.run(self.request(lesson, ex))
        if verdict.failure == STOPPED:  # cut short by a shutdown (Ctrl+C): not an attempt of the learner's
            return verdict
        self.record(lesson, ex, verdict, path)
        verdict.explanations = explain(self.course, lesson, verdict.misconceptions)
        return verdict

    def record(self, lesson: Lesson, ex: Exercise, verdict: Verdict, path: Path) -> None:
        from ..progress import code_hash

        try:
            digest = code_hash(path.read_bytes())
        except OSError:
            digest = ""
        fid = self.full_id(lesson, ex)
        self.store.record_attempt(fid, verdict.passed, verdict.to_dict(), digest)
        for concept in ex.concepts:
            self.store.record_concept_evidence(concept, "exercise", fid, verdict.passed)

    def hint_ladder(self, lesson: Lesson, ex: Exercise) -> list[tuple[str, bool]]:
        """The hints in the order they are shown for the last failure: the hints whose
        ``when`` names its failure tag, or, when none does, those that name one of its
        misconceptions (a misconception can be shared by several mistakes, so it never
        outranks the failure tag); then the general hints (no ``when``) in the author's
        order. Hints aimed at other failures are left out; if that leaves nothing, every
        hint is shown."""
        last = self.store.last_attempt(self.full_id(lesson, ex))
        failure, misconceptions = None, set()
        if last is not None and not last.passed:
            verdict = last.verdict or {}
            failure, misconceptions = verdict.get("failure"), set(verdict.get("misconceptions") or [])
        fitting = [h for h in ex.hints if failure and failure in h.when]
        fitting = fitting or [h for h in ex.hints if misconceptions.intersection(h.when)]
        general = [(h.text, False) for h in ex.hints if not h.when]
        return [(h.text, True) for h in fitting] + general or [(h.text, False) for h in ex.hints]

    def ladder_start(self, lesson: Lesson, ex: Exercise) -> str | None:
        """When the current climb of the hint ladder began (None: the first check): the later
        of the last reset and the first of the latest checks that all failed the same way.
        A different failure, a pass, or a reset starts the ladder again at its first rung."""
        fid = self.full_id(lesson, ex)
        attempts = self.store.attempts(fid)
        start = None
        if attempts:
            def key(a):
                return "passed" if a.passed else (a.verdict or {}).get("failure")

            first = len(attempts) - 1
            while first > 0 and key(attempts[first - 1]) == key(attempts[-1]):
                first -= 1
            start = attempts[first].time
        reset = self.store.last_reset(fid)
        return max((t for t in (start, reset) if t is not None), default=None)

    def hint(self, lesson: Lesson, ex: Exercise) -> HintStep:
        """Reveal the next rung of the ladder for the last failure (the last rung repeats once
        all are shown)."""
        ladder = self.hint_ladder(lesson, ex)
        fid = self.full_id(lesson, ex)
        shown = self.store.hints_since(fid, self.ladder_start(lesson, ex))
        rung = min(shown, len(ladder) - 1)
        self.store.record_hint(fid, rung)
        text, matched = ladder[rung]
        return HintStep(rung=rung, total=len(ladder), text=text, matched=matched)

    def solution(self, lesson: Lesson, ex: Exercise) -> tuple[str, str]:
        """The reference solution's source and its "why"; the reveal is recorded."""
        self.store.record_solution(self.full_id(lesson, ex))
        return exercise_files(lesson, ex).solution.read_text(encoding="utf-8"), ex.why

    def read_exercise(self, lesson: Lesson, ex: Exercise) -> str:
        """The learner's current file, decoded as Python decodes it ("" when it is missing or
        binary). A file saved in another encoding without a coding line (a Windows editor's
        Latin-1) is shown as Windows-1252 text, so that saving it from the editor makes it UTF-8;
        the check's verdict says what was wrong with it."""
        path = self.exercise_path(lesson, ex)
        try:
            data = path.read_bytes()
        except OSError:
            return ""
        try:
            return decode_source(data, path)
        except SourceError as exc:
            if exc.kind != "encoding" or declared_encoding(data) is not None:
                return ""
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                return data.decode("latin-1")

    def write_exercise(self, lesson: Lesson, ex: Exercise, source: str) -> Path:
        """Save ``source`` as the learner's file, atomically (a watcher never sees half a file).

        Front ends that edit exercises (the web reader's editor) save through here; a
        watcher then checks the file as it would after a save from any editor."""
        target = self.exercise_path(lesson, ex)
        try:
            data = encode_source(source, target)
        except SourceError as exc:
            raise WorkspaceError(f"{exc} Nothing was saved.") from None
        _write(target, data)
        return target

    def reset(self, lesson: Lesson, ex: Exercise) -> "Reset":
        """Restore the starter; the learner's version is kept under .torchtutor/backups/.
        A link at the exercise's path is replaced by a file (what it pointed to is kept as it
        was, and backed up), and a folder there is moved into the backups."""
        target = self.exercise_path(lesson, ex)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        backups = self.root / MARKER / "backups"
        backup = None
        if target.is_file():                       # a file, or a link to one: keep what the learner sees
            backup = backups / f"{target.stem}.{stamp}.py"
            try:
                content = target.read_bytes()
            except OSError as exc:
                raise WorkspaceError(f"Cannot read {target} to back it up before the reset: {exc.strerror}. "
                                     "Nothing was changed.") from None
            _write(backup, content)
        aside = backups / f"{target.name}.{stamp}.folder"
        written = _write(target, exercise_files(lesson, ex).starter.read_bytes(), aside=aside)
        self.store.record_reset(self.full_id(lesson, ex))
        return Reset(path=target, backup=backup, notes=written.notes)

    def progress(self) -> dict:
        """Lessons, exercises and concepts with their status, as plain data."""
        entries = self.entries()
        by_lesson: dict[str, list[Entry]] = {}
        for e in entries:
            by_lesson.setdefault(e.lesson, []).append(e)
        evidence = self.store.concept_evidence()
        lessons = []
        for lesson in self.course.lessons:
            items = by_lesson.get(lesson.slug, [])
            done = sum(1 for e in items if e.status == "done")
            lessons.append({"slug": lesson.slug, "number": lesson.number, "title": lesson.title,
                            "done": done, "total": len(items),
                            "status": "done" if items and done == len(items) else ("started" if any(e.status != "pending" for e in items) else "pending"),
                            "exercises": [e.to_dict() for e in items]})
        concepts = []
        for lesson in self.course.lessons:
            for c in lesson.concepts:
                rows = evidence.get(c.name, [])
                concepts.append({"name": c.name, "depth": c.depth.name, "lesson": lesson.slug,
                                 "evidence": len(rows), "passed": sum(1 for r in rows if r.passed),
                                 "status": "shown" if any(r.passed for r in rows) else ("tried" if rows else "not yet")})
        quiz = [{"check": q.check_id, "lesson": q.lesson, "correct": q.correct} for q in self.store.quiz_answers()]
        notices = [text for _, text in self.store.notices()]
        return {"workspace": str(self.root), "notices": notices, "lessons": lessons, "concepts": concepts,
                "quiz": quiz}


def changed_exercises(ws: Workspace, paths: Iterable[str]) -> list[tuple[Lesson, Exercise]]:
    """Map a batch of changed file paths to exercises, without duplicates."""
    seen = []
    for p in paths:
        hit = ws.by_path(Path(p))
        if hit and hit not in seen:
            seen.append(hit)
    return seen


def watch(ws: Workspace, runner: "Runner", on_verdict: Callable[[Lesson, Exercise, Verdict], None],
          stop_event=None, debounce_ms: int = 50) -> None:
    """Re-check an exercise each time its file is saved. Blocks until ``stop_event``
    is set (or KeyboardInterrupt)."""
    from watchfiles import watch as watch_files

    def only_exercises(_change, path: str) -> bool:
        return path.endswith(".py") and MARKER not in Path(path).parts

    for changes in watch_files(ws.root, watch_filter=only_exercises, debounce=debounce_ms, step=10,
                               stop_event=stop_event, rust_timeout=500, yield_on_timeout=False):
        for lesson, ex in changed_exercises(ws, (p for _, p in changes)):
            started = time.perf_counter()
            verdict = ws.check(lesson, ex, runner)
            if not verdict.duration_ms:
                verdict.duration_ms = (time.perf_counter() - started) * 1000
            on_verdict(lesson, ex, verdict)

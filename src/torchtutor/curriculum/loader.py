"""Load the course from its folder of TOML and Markdown files.

Layout::

    course/series.toml                  the series: title, goal, module folders in order
    course/<module>/module.toml         the module: goal, narrative, lesson order, planned lessons
    course/<module>/<lesson>/lesson.toml
    course/<module>/<lesson>/lesson.md
    course/<module>/<lesson>/exercises/<stem>.py    the starter the learner edits
    course/<module>/<lesson>/checkers/<stem>.py     defines check(ex)
    course/<module>/<lesson>/solutions/<stem>.py    the reference solution

Problems are collected as :class:`Problem` rows (file, line, message) instead of being
raised one at a time, so that ``curriculum lint`` can list them all.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .models import Lesson, Module, PlannedLesson, Series

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One row of ``curriculum lint``. A warning is worth fixing but does not fail lint."""

    file: Path
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        try:
            shown = self.file.resolve().relative_to(Path.cwd())
        except ValueError:
            shown = self.file
        return f"{shown}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


class CourseError(Exception):
    """The course could not be loaded. ``str()`` is one paragraph for the learner."""

    def __init__(self, problems: list[Problem], message: str | None = None, from_variable: Path | None = None):
        self.problems = problems
        first = problems[0]
        more = f" ({len(problems) - 1} more problem(s); run `torchtutor curriculum lint` to list them all)" if len(problems) > 1 else ""
        if from_variable is not None:   # the learner's own setting, not a damaged install
            default = (f"The course that ${COURSE_ENV} points at ({from_variable}) is broken: {first}.{more} "
                       f"Fix that line, or point ${COURSE_ENV} at a course folder (the one that holds "
                       "series.toml), or unset it to use the course that comes with torchtutor.")
        else:
            default = (f"The course files are broken: {first}.{more} If you edited the course, fix that line; "
                       "if you did not, reinstall torchtutor.")
        super().__init__(message or default)


def missing_root(root: Path | None) -> CourseError | None:
    """The error for a course folder that is not there (None when it is): it names
    ``$TORCHTUTOR_COURSE`` when that is where the folder came from."""
    chosen = Path(root) if root else default_root()
    try:
        if chosen.is_dir():
            return None
        problem = "does not exist" if not chosen.exists() else "is not a folder"
    except (OSError, ValueError):
        problem = "is not a usable path"
    shown = str(chosen) if len(str(chosen)) <= 80 else str(chosen)[:60] + "..."
    if root is None and os.environ.get(COURSE_ENV):
        message = (f"${COURSE_ENV} is set to {shown!r}, which {problem}. Point it at a course folder (the one that "
                   f"holds series.toml), or unset it to use the course that comes with torchtutor.")
    elif root is not None:
        message = f"The course folder {shown!r} {problem}. Give the folder that holds series.toml."
    else:
        message = f"The course that comes with torchtutor is missing ({shown} {problem}). Reinstall torchtutor."
    return CourseError([Problem(chosen, 1, f"the course folder {problem}")], message)


@dataclass
class Course:
    root: Path
    series: Series
    modules: list[Module] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # slugs whose lesson.toml failed to load

    def lesson(self, slug: str) -> Lesson | None:
        return next((l for l in self.lessons if l.slug == slug), None)

    def module_of(self, lesson: Lesson) -> Module:
        return next(m for m in self.modules if m.slug == lesson.module)

    def module(self, key: str) -> Module | None:
        return next((m for m in self.modules if key in (m.number, m.slug)), None)

    def planned(self) -> list[PlannedLesson]:
        return [p for m in self.modules for p in m.planned]

    def lesson_slugs(self) -> set[str]:
        return {l.slug for l in self.lessons} | {p.slug for p in self.planned()} | self.broken

    def exercises(self):
        """(lesson, exercise) pairs in course order."""
        for lesson in self.lessons:
            for ex in lesson.exercises:
                yield lesson, ex

    def find_exercise(self, full_id: str):
        """Look up ``lesson/exercise``; returns (lesson, exercise) or None."""
        slug, _, ex_id = full_id.partition("/")
        lesson = self.lesson(slug)
        if lesson is None:
            return None
        ex = lesson.exercise(ex_id)
        return (lesson, ex) if ex else None


COURSE_ENV = "TORCHTUTOR_COURSE"


def packaged_root() -> Path:
    """The course shipped inside the package."""
    return Path(str(resources.files("torchtutor") / "course"))


def default_root() -> Path:
    """The course shipped inside the package, or ``$TORCHTUTOR_COURSE`` when set (for
    course authors working on a course of their own)."""
    if os.environ.get(COURSE_ENV):
        return Path(os.environ[COURSE_ENV]).expanduser()
    return packaged_root()


def lesson_modules(root: Path | None = None) -> dict[str, str]:
    """Every lesson slug of a course, written or planned, with its module number, in course
    order; read from series.toml and the module.toml files alone (cheap, and it never raises:
    files that do not load are left out). Default: the packaged course."""
    root = Path(root) if root else packaged_root()
    ignored: list[Problem] = []
    series, _ = read_toml(root / "series.toml", ignored)
    out: dict[str, str] = {}
    for folder in (series or {}).get("modules", []):
        data, text = read_toml(root / str(folder) / "module.toml", ignored)
        module = validate(Module, data, root / str(folder) / "module.toml", text, ignored) if data is not None else None
        if module is None:
            continue
        slugs = [*module.lessons, *(p.slug for p in module.planned)]
        out.update({slug: module.number for slug in slugs})
    return out


def locate(text: str, loc: tuple[Any, ...]) -> int:
    """Best line number (1-based) in a TOML text for a pydantic error location.

    ``("exercises", 2, "level")`` finds the third ``[[exercises]]`` header, then the
    ``level =`` key after it. When a key is missing the header line is the answer.
    """
    lines = text.splitlines()
    pos = 0
    line_no = 1
    items = list(loc)
    i = 0
    while i < len(items):
        key = items[i]
        if not isinstance(key, str):
            i += 1
            continue
        index = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], int) else None
        header = re.compile(r"^\s*\[\[\s*(?:[\w-]+\.)*" + re.escape(key) + r"\s*\]\]")
        assign = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
        if index is not None:
            seen = -1
            found = None
            for n in range(pos, len(lines)):
                if header.match(lines[n]):
                    seen += 1
                    if seen == index:
                        found = n
                        break
            if found is None:
                for n in range(pos, len(lines)):
                    if assign.match(lines[n]):
                        found = n
                        break
            if found is not None:
                pos, line_no = found + 1, found + 1
            i += 2
            continue
        for n in range(pos, len(lines)):
            if n > pos and lines[n].lstrip().startswith("[") and not assign.match(lines[n]):
                break
            if assign.match(lines[n]):
                pos, line_no = n + 1, n + 1
                break
        i += 1
    return line_no


def read_toml(path: Path, problems: list[Problem]) -> tuple[dict[str, Any] | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(path, 1, "file is missing"))
        return None, ""
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(path, 1, f"cannot be read: {exc}"))
        return None, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        problems.append(Problem(path, int(match.group(1)) if match else 1, f"not valid TOML: {exc}"))
        return None, text


def validate(model: type[M], data: dict[str, Any], path: Path, text: str, problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(path, locate(text, tuple(err["loc"])), f"{where}: {msg}"))
        return None


def load(root: Path | None = None) -> tuple[Course | None, list[Problem]]:
    """Load the course at ``root`` (default: the packaged one); never raises for bad files."""
    missing = missing_root(root)
    if missing is not None:
        return None, missing.problems
    root = Path(root) if root else default_root()
    problems: list[Problem] = []
    series_path = root / "series.toml"
    data, text = read_toml(series_path, problems)
    series = validate(Series, data, series_path, text, problems) if data is not None else None
    if series is None:
        return None, problems
    course = Course(root=root, series=series)
    for module_dir_name in series.modules:
        module_path = root / module_dir_name / "module.toml"
        data, text = read_toml(module_path, problems)
        module = validate(Module, data, module_path, text, problems) if data is not None else None
        if module is None:
            continue
        module.dir = module_path.parent
        course.modules.append(module)
        for slug in module.lessons:
            lesson_path = module.dir / slug / "lesson.toml"
            data, text = read_toml(lesson_path, problems)
            lesson = validate(Lesson, data, lesson_path, text, problems) if data is not None else None
            if lesson is None:
                course.broken.add(slug)
                continue
            if lesson.slug != slug:
                problems.append(Problem(lesson_path, locate(text, ("slug",)),
                                        f"slug is {lesson.slug!r} but the folder and module.toml call it {slug!r}"))
            lesson.dir = lesson_path.parent
            lesson.module = module.slug
            course.lessons.append(lesson)
    return course, problems


def load_or_raise(root: Path | None = None) -> Course:
    """Load the course for a command that needs it whole; broken files raise CourseError."""
    missing = missing_root(root)
    if missing is not None:
        raise missing
    course, problems = load(root)
    if course is not None and not problems:
        problems = missing_files(course)
    if course is None or problems:
        raise CourseError(problems, from_variable=default_root() if root is None and os.environ.get(COURSE_ENV)
                          else None)
    return course


def missing_files(course: Course) -> list[Problem]:
    """The files every command may need but that are not there or cannot be read: each lesson's
    lesson.md (UTF-8 text) and each exercise's starter and checker. A few stats and one read per
    lesson, so that a broken course is one paragraph up front, never a crash half-way through
    ``start`` or a checker that blames the learner's code."""
    from .files import exercise_files

    problems: list[Problem] = []

    def need(path: Path, what: str) -> bool:
        if path.is_file():
            return True
        problems.append(Problem(path, 1, f"{what} is a folder, not a file" if path.is_dir() else f"{what} is missing"))
        return False

    for lesson in course.lessons:
        text = lesson.dir / "lesson.md"
        if need(text, "lesson.md"):
            read_text(text, problems)
        for ex in lesson.exercises:
            files = exercise_files(lesson, ex)
            need(files.starter, f"the starter of {lesson.slug}/{ex.id}")
            need(files.checker, f"the checker of {lesson.slug}/{ex.id}")
    return problems


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """A course file's text (UTF-8), or None with the problem appended: the line that is not
    UTF-8, or why the file cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(path, 1, f"cannot be read: {exc.strerror or exc}"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(Problem(path, line, f"this line is not UTF-8 text; save {path.name} as UTF-8"))
        return None

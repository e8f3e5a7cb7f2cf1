"""The failure tags a checker can produce, read from its source without running it.

Hints choose their rung by failure tag (``when = [...]`` in lesson.toml), and checkers
declare the tags in Python (``failure="..."`` on ``fail``, ``Wrong``, ``WrongError``,
``CheckFailure``). Lint compares the two through this module, so that a hint never waits
for a tag no checker emits and a specific failure is not left without a hint.

What counts as producible for an exercise:

- the tags and misconception ids written as literals in its checker and in the lesson's
  shared helpers (``checkers/_*.py``);
- the generic tags of the checks API itself (``placeholder``, ``wrong-shape`` ...), read
  the same way from the ``torchtutor.checks`` sources;
- the mistake catalogue's ids, which any learner exception can be translated to;
- the name of any built-in exception (a learner exception nothing recognises is tagged
  with its type name);
- the tags of the exercise's known errors in lesson.toml (``[[exercises.known_errors]]``);
- the tags the lesson's slip table shows the checker producing (tests/test_slips.py
  proves each of them through the real harness).

A failure tag with no hint is a warning: a tag of the exercise's checker, or of a lesson
helper function the checker calls (``helpers_used``), except for the generic tags above and the
*structural* ones the checks API declares in ``STRUCTURAL_FAILURES`` (``checks/api.py``):
tags about the form of an answer whose verdict already names the form expected.

The engine's sources are read as text, not imported, so this layer depends on nothing above it.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .files import exercise_files
from .models import EXCEPTION_NAMES, Exercise, Lesson

PACKAGE = Path(__file__).resolve().parent.parent
ENGINE_SOURCES = ("checks", )                       # folders whose failure= literals are generic tags
CATALOGUE_SOURCE = PACKAGE / "diagnose" / "catalogue.toml"
# Positional indexes of (failure, misconceptions) for the constructors that take them positionally.
POSITIONS = {"CheckFailure": (3, 2), "WrongError": (3, 4)}


@dataclass
class Declared:
    """Tags found in some source files: failure tag -> (file, line) of its first use, the
    misconception ids, and for each failure tag the misconceptions declared with it."""

    failures: dict[str, tuple[Path, int]] = field(default_factory=dict)
    misconceptions: set[str] = field(default_factory=set)
    companions: dict[str, set[str]] = field(default_factory=dict)

    def update(self, other: "Declared") -> None:
        for tag, where in other.failures.items():
            self.failures.setdefault(tag, where)
        self.misconceptions |= other.misconceptions
        for tag, ids in other.companions.items():
            self.companions.setdefault(tag, set()).update(ids)


def _strings(node: ast.AST | None) -> list[str]:
    if node is None:
        return []
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def _declared_in(tree: ast.AST, path: Path) -> Declared:
    """The failure tags and misconception ids written as literals anywhere under ``tree``."""
    found = Declared()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        failure_at, mis_at = POSITIONS.get(_callee(node), (None, None))
        failure_node = keywords.get("failure")
        if failure_node is None and failure_at is not None and len(node.args) > failure_at:
            failure_node = node.args[failure_at]
        mis_node = keywords.get("misconceptions")
        if mis_node is None and mis_at is not None and len(node.args) > mis_at:
            mis_node = node.args[mis_at]
        misconceptions = set(_strings(mis_node))
        found.misconceptions |= misconceptions
        tags = _strings(failure_node)
        if failure_node is None and _callee(node) == "Wrong" and misconceptions:
            tags = _strings(mis_node)[:1]             # Wrong falls back to its first misconception
        for tag in tags:
            found.failures.setdefault(tag, (path, getattr(failure_node or mis_node, "lineno", node.lineno)))
            found.companions.setdefault(tag, set()).update(misconceptions)
    return found


@lru_cache(maxsize=256)
def _scan_cached(path: Path, mtime: float) -> Declared:
    tree = _parse(path)
    return Declared() if tree is None else _declared_in(tree, path)


@lru_cache(maxsize=64)
def _helper_parts_cached(path: Path, mtime: float) -> dict[str, Declared]:
    """For each top-level function and class of a helper file, what its own body declares."""
    tree = _parse(path)
    if tree is None:
        return {}
    return {node.name: _declared_in(node, path) for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def scan(path: Path) -> Declared:
    """The failure tags and misconception ids written as literals in one Python file."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return Declared()
    return _scan_cached(path, mtime)


@lru_cache(maxsize=1)
def engine_tags() -> frozenset[str]:
    """Tags any checker can produce without writing them: the checks API's generic tags
    and the mistake catalogue's ids."""
    tags: set[str] = set()
    for folder in ENGINE_SOURCES:
        for path in sorted((PACKAGE / folder).glob("*.py")):
            tags |= set(scan(path).failures)
    return frozenset(tags | catalogue_ids())


@lru_cache(maxsize=1)
def catalogue_ids() -> frozenset[str]:
    """The ids of diagnose's mistake catalogue (data: tags diagnose can produce for any checker)."""
    try:
        entries = tomllib.loads(CATALOGUE_SOURCE.read_text(encoding="utf-8")).get("mistake", [])
    except (OSError, tomllib.TOMLDecodeError):
        entries = []
    return frozenset(e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str))


STRUCTURAL_NAME = "STRUCTURAL_FAILURES"


@lru_cache(maxsize=1)
def structural_tags() -> frozenset[str]:
    """The checks API's declared structural failure tags (``STRUCTURAL_FAILURES`` in its
    sources), read without importing it: tags whose verdict says what form is expected, so
    they need no hint."""
    tags: set[str] = set()
    for folder in ENGINE_SOURCES:
        for path in sorted((PACKAGE / folder).glob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                continue
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
                if any(isinstance(t, ast.Name) and t.id == STRUCTURAL_NAME for t in targets):
                    tags.update(_strings(node.value))
    return frozenset(tags)


def lesson_helpers(lesson: Lesson) -> Declared:
    """What the lesson's shared checker helpers (``checkers/_*.py``) declare."""
    found = Declared()
    folder = exercise_files(lesson, lesson.exercises[0]).checker.parent if lesson.exercises else None
    if folder is not None:
        for path in sorted(folder.glob("_*.py")):
            found.update(scan(path))
    return found


def checker_declares(lesson: Lesson, ex: Exercise) -> Declared:
    """What the exercise's own checker file declares."""
    return scan(exercise_files(lesson, ex).checker)


def helpers_used(lesson: Lesson, ex: Exercise) -> Declared:
    """What the lesson helpers the exercise's checker uses declare for it: the tags written in
    the body of each helper function or class it names (``import _nn_checks as nnc`` and then
    ``nnc.instantiate(...)``). Only those bodies count, not the helpers they call in turn: a
    helper that every call goes through (say one that adds a catalogue reading of a missing
    ``super().__init__()``) would otherwise make every tag of the file this exercise's."""
    checker = exercise_files(lesson, ex).checker
    tree = _parse(checker)
    found = Declared()
    if tree is None:
        return found
    modules: dict[str, Path] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("_") and "." not in alias.name:
                    modules[alias.asname or alias.name] = checker.parent / f"{alias.name}.py"
    used: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            used.setdefault(node.value.id, set()).add(node.attr)
    for name, attributes in used.items():
        path = modules[name]
        try:
            parts = _helper_parts_cached(path, path.stat().st_mtime)
        except OSError:
            continue
        for attribute in sorted(attributes):
            if attribute in parts:
                found.update(parts[attribute])
    return found


def known_errors_declared(lesson: Lesson, index: int, text: str) -> Declared:
    """The failure tags and misconceptions of exercise ``index``'s known errors in lesson.toml
    (``text``), each tag placed at the line of its entry."""
    from .loader import locate

    found = Declared()
    path = lesson.dir / "lesson.toml" if lesson.dir else Path("lesson.toml")
    for j, known in enumerate(lesson.exercises[index].known_errors):
        line = locate(text, ("exercises", index, "known_errors", j, "failure" if known.failure else "catalogue"))
        found.failures.setdefault(known.tag, (path, line))
        found.companions.setdefault(known.tag, set()).update(known.misconceptions)
        found.misconceptions |= set(known.misconceptions)
    return found


def known_calls(lesson: Lesson, ex: Exercise) -> list[tuple[tuple[str, ...], frozenset[str], int]]:
    """The ``known("id", ..., name=value)`` calls in the exercise's checker: the ids it names (none
    for all of them), the placeholder names it fills, and its line."""
    tree = _parse(exercise_files(lesson, ex).checker)
    if tree is None:
        return []
    return [(tuple(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)),
             frozenset(k.arg for k in node.keywords if k.arg), node.lineno)
            for node in ast.walk(tree) if isinstance(node, ast.Call) and _callee(node) == "known"]


def is_exception_name(tag: str) -> bool:
    return tag in EXCEPTION_NAMES

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
- the tags the lesson's slip table shows the checker producing (tests/test_slips.py
  proves each of them through the real harness).

A failure tag with no hint is a warning, except for the generic tags above and the
*structural* ones the checks API declares in ``STRUCTURAL_FAILURES`` (``checks/api.py``):
tags about the form of an answer whose verdict already names the form expected.

The engine's sources are read as text, not imported, so this layer depends on nothing above it.
"""

from __future__ import annotations

import ast
import tomllib
import builtins
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .files import exercise_files
from .models import Exercise, Lesson

PACKAGE = Path(__file__).resolve().parent.parent
ENGINE_SOURCES = ("checks", )                       # folders whose failure= literals are generic tags
CATALOGUE_SOURCE = PACKAGE / "diagnose" / "catalogue.toml"
# Positional indexes of (failure, misconceptions) for the constructors that take them positionally.
POSITIONS = {"CheckFailure": (3, 2), "WrongError": (3, 4)}
EXCEPTION_NAMES = frozenset(n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException))


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


@lru_cache(maxsize=256)
def _scan_cached(path: Path, mtime: float) -> Declared:
    found = Declared()
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return found
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
    try:  # the catalogue is data: its ids are tags that diagnose can produce for any checker
        entries = tomllib.loads(CATALOGUE_SOURCE.read_text(encoding="utf-8")).get("mistake", [])
    except (OSError, tomllib.TOMLDecodeError):
        entries = []
    tags |= {e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}
    return frozenset(tags)


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


def is_exception_name(tag: str) -> bool:
    return tag in EXCEPTION_NAMES

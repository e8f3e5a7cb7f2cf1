"""Findings (what a probe concluded) and the stack walk that locates them in user code."""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any, Iterable

from .catalogue import get

WARNING = "warning"
INFO = "info"

#: Terminal escape sequences (colours, cursor moves) that PyTorch and libraries put in messages.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def plain_text(text: str) -> str:
    """``text`` without ANSI escape codes (a report is read in JSON, logs and CI, not a terminal)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


@dataclass
class Location:
    file: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def short(self) -> str:
        """file:line with the file relative to the working directory when that is shorter."""
        return f"{short_path(self.file)}:{self.line}"


@dataclass
class Finding:
    """One conclusion of the probes, tied to a catalogue entry.

    id        catalogue id (see :mod:`torchtutor.diagnose.catalogue`)
    severity  ``"warning"`` (a mistake) or ``"info"`` (checked, looks deliberate or harmless)
    phase     checklist phase, from the catalogue entry
    message   what was observed, with numbers, and why it matters here
    evidence  the numbers and names behind the message (JSON-safe)
    fix       the fix as code (the catalogue's, unless the probe has a sharper one)
    location  where in the user's code the call came from, when known
    cause     where the cause was made, when that is another line (the softmax inside
              ``forward()`` for a mistake seen at the loss call)
    """

    id: str
    severity: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    fix: str = ""
    phase: str = ""
    title: str = ""
    lesson: str = ""
    cause: Location | None = None

    def __post_init__(self) -> None:
        self.message = plain_text(self.message)
        entry = get(self.id)
        self.phase = self.phase or entry.phase
        self.title = self.title or entry.title
        self.lesson = self.lesson or entry.lesson
        self.fix = self.fix or entry.fix

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "phase": self.phase,
            "title": self.title,
            "message": self.message,
            "evidence": _jsonable(self.evidence),
            "fix": self.fix,
            "location": self.location.to_dict() if self.location else None,
            "cause": self.cause.to_dict() if self.cause else None,
            "lesson": self.lesson,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        loc = data.get("location")
        return cls(
            id=data["id"],
            severity=data["severity"],
            message=data.get("message", ""),
            evidence=dict(data.get("evidence") or {}),
            location=Location(loc["file"], int(loc["line"])) if loc else None,
            fix=data.get("fix", ""),
            phase=data.get("phase", ""),
            title=data.get("title", ""),
            lesson=data.get("lesson", ""),
            cause=Location(data["cause"]["file"], int(data["cause"]["line"])) if data.get("cause") else None,
        )



class SplitFindings:
    """``warnings`` and ``infos`` of anything that has ``findings`` (the probe, a doctor report)."""

    findings: list[Finding]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.is_warning]

    @property
    def infos(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_warning]

def _jsonable(value: Any) -> Any:
    """Evidence as JSON-safe data: numbers stay numbers, everything else becomes text."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return value
    return str(value)


# --------------------------------------------------------------------------- user frames
def _library_roots() -> tuple[str, ...]:
    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            path = sysconfig.get_paths().get(key)
        except Exception:  # pragma: no cover - unusual Python builds
            path = None
        if path:
            roots.add(os.path.realpath(path) + os.sep)
    import torch

    roots.add(os.path.dirname(os.path.realpath(torch.__file__)) + os.sep)
    # the whole torchtutor package: its checkers and runner call learner code, they are not it
    roots.add(os.path.dirname(os.path.dirname(os.path.realpath(__file__))) + os.sep)
    for mod in ("torchinfo", "torchvision", "numpy"):
        m = sys.modules.get(mod)
        if m is not None and getattr(m, "__file__", None):
            roots.add(os.path.dirname(os.path.realpath(m.__file__)) + os.sep)
    return tuple(sorted(roots))


_ROOTS: tuple[str, ...] | None = None
_USER_CACHE: dict[str, bool] = {}
#: Files and folders that are user code even when they live under a library root (the
#: child adds the script and its folder, so that a script kept anywhere still counts).
USER_FILES: set[str] = set()
USER_DIRS: set[str] = set()


def is_user_file(filename: str) -> bool:
    """True for code written by the user: not Python's stdlib, not an installed library,
    not torch and not this package."""
    cached = _USER_CACHE.get(filename)
    if cached is not None:
        return cached
    global _ROOTS
    if _ROOTS is None:
        _ROOTS = _library_roots()
    if filename in USER_FILES:
        result = True
    elif not filename or filename.startswith("<"):
        result = False
    else:
        real = os.path.realpath(filename)
        result = (real in USER_FILES or any(real.startswith(d) for d in USER_DIRS)
                  or not any(real.startswith(r) for r in _ROOTS))
    _USER_CACHE[filename] = result
    return result


def mark_user_file(filename: str, *, with_folder: bool = False) -> None:
    """Treat ``filename`` (and, optionally, everything in its folder) as user code."""
    USER_FILES.add(filename)
    USER_FILES.add(os.path.realpath(filename))
    if with_folder:
        USER_DIRS.add(os.path.dirname(os.path.realpath(filename)) + os.sep)
    _USER_CACHE.clear()


def user_frame(start: FrameType | None = None) -> FrameType | None:
    """The innermost frame (from ``start``, default the caller) that belongs to user code."""
    frame = start if start is not None else sys._getframe(1)
    while frame is not None:
        if is_user_file(frame.f_code.co_filename):
            return frame
        frame = frame.f_back
    return None


def user_location(start: FrameType | None = None) -> Location | None:
    frame = user_frame(start if start is not None else sys._getframe(1))
    if frame is None:
        return None
    return Location(frame.f_code.co_filename, frame.f_lineno)


def traceback_frames(tb: TracebackType | None) -> list[tuple[FrameType, int]]:
    out = []
    while tb is not None:
        out.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return out


def innermost_user_location(tb: TracebackType | None) -> Location | None:
    """The innermost traceback entry in user code: the line of the user's that failed."""
    best = None
    for frame, lineno in traceback_frames(tb):
        if is_user_file(frame.f_code.co_filename):
            best = Location(frame.f_code.co_filename, lineno)
    return best


def short_path(path: str, base: str | None = None) -> str:
    """A path relative to ``base`` (default: the working directory) when that is shorter."""
    try:
        rel = os.path.relpath(path, base or os.getcwd())
    except ValueError:
        return path
    return rel if len(rel) < len(path) and not rel.startswith(".." + os.sep + "..") else path


def summarise(findings: Iterable[Finding]) -> dict[str, Any]:
    findings = list(findings)
    warnings = sorted({f.id for f in findings if f.is_warning})
    return {
        "warnings": sum(1 for f in findings if f.is_warning),
        "infos": sum(1 for f in findings if not f.is_warning),
        "warning_ids": warnings,
    }


def fmt(x: float) -> str:
    """A number as findings and reports print it: 4 significant digits, scientific when very
    large or small, and inf/nan as themselves."""
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-3:
        return f"{x:.2e}"
    return f"{x:.4g}"

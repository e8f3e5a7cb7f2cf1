"""Reading and writing a Python source file the way Python does, with errors a person can act on.

Python reads a source file as UTF-8 unless its first or second line declares another encoding
(PEP 263: ``# -*- coding: latin-1 -*-``); a UTF-8 byte-order mark is allowed. Every place that
reads a learner's file or a script goes through :func:`read_source` (the check harness, the web
editor, ``torchtutor doctor``), and every place that saves one from text goes through
:func:`encode_source` (the web editor, the notebook's ``%%exercise``), so that a declared
encoding means the same thing everywhere.

When a file cannot be read as Python source, :class:`SourceError` says so in words: the line
that is not UTF-8 (never a byte offset), and how to save the file as UTF-8; or that the file
looks binary, not like text at all. Standard library only, no torch: the doctor's launcher and
the CLI import it before anything heavy.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import tokenize
from dataclasses import dataclass

__all__ = ["SourceError", "read_source", "decode_source", "encode_source", "declared_encoding"]

# PEP 263: a comment in line 1 or 2 that matches this declares the file's encoding.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")

# How to save as UTF-8, for the editors learners use most.
HOW_TO_SAVE_UTF8 = ("Save the file as UTF-8: in VS Code click the encoding in the status bar "
                    "(bottom right), choose \"Save with Encoding\", then \"UTF-8\" (if the character "
                    "looks wrong first, choose \"Reopen with Encoding\" and \"Western (Windows 1252)\" "
                    "before that); in most other editors it is File > Save As with an \"Encoding: UTF-8\" "
                    "choice, or \"Save with Encoding\". Or keep the encoding and declare it in a first "
                    "line such as `# -*- coding: latin-1 -*-`.")

# Bytes that do not occur in text: C0 controls other than tab, newlines and form feed, and DEL.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
CONTROL_SHARE = 0.10  # more control bytes than this share of the file: not text
UNDECODABLE_SHARE = 0.30  # more bytes that are not UTF-8 than this share: not text either
SMALLEST_SAMPLE = 32  # shares are not judged on fewer bytes (a one-line comment "# café")


@dataclass
class SourceError(ValueError):
    """A file that Python could not read as source; ``str()`` is one paragraph.

    kind      ``"encoding"`` (not valid in its encoding), ``"codec"`` (declares an encoding
              Python does not know), ``"binary"`` (not text at all)
    path      the file
    line      the first line that is wrong (1-based), or None for a binary file
    problem   what is wrong, in words, naming the file and the line
    advice    what to do about it
    text      the offending line as it reads with the bad bytes shown as U+FFFD, or ""
    """

    kind: str
    path: str
    line: int | None
    problem: str
    advice: str
    text: str = ""

    def __str__(self) -> str:
        return f"{self.problem} {self.advice}"


def _name(path: str | os.PathLike) -> str:
    return os.path.basename(os.fspath(path)) or os.fspath(path)


def _looks_binary(data: bytes) -> bool:
    if b"\0" in data:
        return True
    sample = data[:65536]
    if len(sample) < SMALLEST_SAMPLE:
        return False
    controls = sum(sample.count(bytes([b])) for b in _CONTROL)
    if controls > CONTROL_SHARE * len(sample):
        return True
    undecodable = sample.decode("utf-8", "replace").count("\ufffd")
    return undecodable > UNDECODABLE_SHARE * len(sample)


def _binary(path: str, data: bytes, advice: str) -> SourceError:
    why = "it holds NUL bytes" if b"\0" in data else "most of it is not text"
    return SourceError("binary", path, None,
                       f"{_name(path)} looks like a binary file, not Python source ({why}).", advice)


def declared_encoding(data: bytes) -> str | None:
    """The encoding line 1 or 2 declares (PEP 263), as written, or None."""
    lines = data.splitlines(keepends=True)[:2]
    for index, line in enumerate(lines):
        if index == 0 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]
        match = _COOKIE.match(line)
        if match:
            return match.group(1).decode("ascii", "replace")
        if not _BLANK.match(line):
            return None  # PEP 263: line 2 counts only when line 1 is blank or a comment
    return None


def _line_of(data: bytes, position: int) -> tuple[int, str]:
    start = data.rfind(b"\n", 0, position) + 1
    end = data.find(b"\n", position)
    raw = data[start:] if end < 0 else data[start:end]
    return data.count(b"\n", 0, position) + 1, raw.rstrip(b"\r").decode("utf-8", "replace")


def decode_source(data: bytes, path: str | os.PathLike = "<source>", *, binary_advice: str = "") -> str:
    """The text of Python source ``data``, decoded as Python would. Raises :class:`SourceError`.

    ``binary_advice`` is what a binary file's message tells the reader to do (the caller knows:
    ``torchtutor reset ID`` for an exercise, another path for a script).
    """
    path = os.fspath(path)
    name = _name(path)
    if _looks_binary(data):
        raise _binary(path, data, binary_advice or "Give the path of a Python source file.")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        declared = declared_encoding(data)
        if declared is not None and "unknown encoding" in str(exc):
            line = 1 if _COOKIE.match(data.split(b"\n", 1)[0].lstrip(codecs.BOM_UTF8)) else 2
            raise SourceError("codec", path, line,
                              f"Line {line} of {name} declares the encoding '{declared}', which Python "
                              "does not know.",
                              "Correct the name (for example utf-8, latin-1 or cp1252), or delete that "
                              "line and save the file as UTF-8.") from None
        if "encoding problem" in str(exc):  # a UTF-8 byte-order mark and a cookie for another encoding
            raise SourceError("codec", path, 1,
                              f"{name} starts with a UTF-8 byte-order mark but declares another "
                              f"encoding ('{declared}') on line 1 or 2.",
                              "Delete the coding line, or save the file without the byte-order mark.") from None
        encoding = "utf-8"  # line 1 or 2 is not UTF-8 and declares nothing: decode to find where
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, text = _line_of(data, exc.start)
        if encoding.replace("_", "-").lower() in ("utf-8", "utf-8-sig"):
            problem = (f"Line {line} of {name} is not UTF-8 text, which is how Python reads a file: it "
                       "was saved in another encoding (often Latin-1 or Windows-1252, by an editor on "
                       "Windows), so a character such as é or ü there is unreadable.")
            advice = HOW_TO_SAVE_UTF8
        else:
            problem = (f"Line {line} of {name} is not valid {encoding} text, the encoding its coding "
                       "line declares.")
            advice = "Correct the coding line to the encoding the file was saved in, or delete it and " \
                     "save the file as UTF-8."
        raise SourceError("encoding", path, line, problem, advice, text) from None


def read_source(path: str | os.PathLike, *, binary_advice: str = "") -> str:
    """Read a Python source file as Python would (see :func:`decode_source`).

    Raises :class:`SourceError` for a file that is not text in its encoding, and OSError when
    it cannot be read at all."""
    with open(path, "rb") as fh:
        data = fh.read()
    return decode_source(data, path, binary_advice=binary_advice)


def encode_source(text: str, path: str | os.PathLike = "<source>") -> bytes:
    """The bytes to save ``text`` as: UTF-8, or the encoding its own coding line declares (so that
    Python reads back exactly ``text``). Raises :class:`SourceError` when the declared encoding is
    unknown or cannot hold a character of the text."""
    path = os.fspath(path)
    head = "\n".join(text.split("\n", 2)[:2]).encode("utf-8", "replace")
    declared = declared_encoding(head)
    if declared is None:
        return text.encode("utf-8")
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        line = 1 if _COOKIE.match(head.split(b"\n", 1)[0]) else 2
        raise SourceError("codec", path, line,
                          f"Line {line} of {_name(path)} declares the encoding '{declared}', which Python "
                          "does not know, so the file cannot be saved in it.",
                          "Correct the name (for example utf-8 or latin-1), or delete that line to save "
                          "the file as UTF-8.") from None
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise SourceError("encoding", path, line,
                          f"Line {line} of {_name(path)} holds {text[exc.start]!r}, which the encoding "
                          f"'{declared}' that the file's coding line declares cannot hold.",
                          "Delete the coding line to save the file as UTF-8 (which holds every "
                          "character), or remove that character.") from None

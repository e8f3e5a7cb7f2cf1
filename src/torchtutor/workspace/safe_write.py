"""The one way torchtutor writes into a learner's workspace.

Every write of a learner's file or of a backup (``start`` copying starters, ``reset``,
the backup ``reset`` keeps, the web editor's saves) goes through :func:`safe_write`:

- the bytes go to a new temporary file in the same folder (created with ``O_EXCL``, so
  nothing that already sits there is opened), are flushed to disk, and are renamed into
  place, so a reader or a watcher never sees half a file;
- a symlink at the path is never followed: the rename replaces the link itself, the file
  it pointed to is left as it was, and the result says so;
- a folder at the path is moved aside to ``aside`` when the caller gives a place for it,
  and refused with one paragraph otherwise; a file where a parent folder should be is
  refused the same way.
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class SafeWriteError(Exception):
    """A write that cannot be done safely; one paragraph naming the path and what to do."""


@dataclass
class Written:
    path: Path
    notes: list[str] = field(default_factory=list)   # what was done besides writing, in words


def _umask() -> int:
    """The process's umask, read without changing it where Linux shows it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def safe_write(path: str | os.PathLike, data: bytes | str, *, aside: Path | None = None) -> Written:
    """Write ``data`` at ``path`` atomically, never through a symlink (see the module text).
    ``aside``: where a folder found at ``path`` may be moved (else it is refused)."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    result = Written(path)
    _make_parent(path.parent)
    if path.is_symlink():
        result.notes.append(f"{path} was a link to {os.readlink(path)}; it is now a file of its own, and the file "
                            "the link pointed to was not changed.")
    elif path.is_dir():
        if aside is None:
            raise SafeWriteError(f"{path} is a folder, where torchtutor expected a file. Move or rename that folder, "
                                 "then try again.")
        aside.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(path, aside)
        except OSError as exc:
            raise SafeWriteError(f"{path} is a folder, where torchtutor expected a file, and it could not be moved "
                                 f"aside to {aside} ({exc.strerror}). Move or rename it yourself, then try again.") from None
        result.notes.append(f"{path} was a folder; it was moved, with everything in it, to {aside}.")
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise SafeWriteError(_cannot(path, exc)) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())   # as a plain open() would have made it
        os.replace(temp, path)
    except OSError as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise SafeWriteError(_cannot(path, exc)) from None
    return result


def _make_parent(folder: Path) -> None:
    for part in (folder, *folder.parents):
        if part.exists() or part.is_symlink():
            if not part.is_dir():
                raise SafeWriteError(f"{part} is a file, where torchtutor needs a folder (to write {folder}). Move or "
                                     "rename that file, then try again.")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SafeWriteError(_cannot(folder, exc)) from None


REASONS = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
           errno.EROFS: "the file system is read-only", errno.ENOSPC: "the disk is full",
           errno.EDQUOT: "the disk quota is used up", errno.ENAMETOOLONG: "the name is too long",
           errno.ENOTDIR: "a part of that path is a file, not a folder"}


def os_reason(exc: OSError) -> str:
    """What an OSError means, in a few plain words."""
    return REASONS.get(exc.errno, exc.strerror or str(exc))


def _cannot(path: Path, exc: OSError) -> str:
    return (f"Cannot write {path}: {os_reason(exc)}. Check that you may write to {path.parent}, and that the "
            "disk has room.")

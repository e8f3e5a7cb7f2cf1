"""Writing a learner's file safely: the one function every front end uses to put text into
the workspace (a notebook's ``%%exercise`` cell, the web editor's save, ``reset``).

The write goes to a temporary file in the same folder, is flushed to disk, and is then
renamed over the target, so a crash leaves either the old file or the new one, never half
of each. A symbolic link at the target is never followed: the tutor writes only what it
owns, so the link is refused with a message instead of overwriting whatever it points to.
A folder in the way is refused the same way.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class UnsafeWrite(Exception):
    """The target cannot be written safely; the message says what to do."""


def write_learner_file(path: str | os.PathLike, text: str) -> Path:
    """Atomically replace ``path`` with ``text`` (UTF-8). Raises :class:`UnsafeWrite` for a
    symlink or a folder at ``path``."""
    target = Path(path)
    if target.is_symlink():
        raise UnsafeWrite(f"{target} is a symbolic link (to {os.readlink(target)}). torchtutor does not write "
                          "through links, so that it never overwrites a file it does not own. Remove the link, "
                          "or replace it with a copy of the file, and save again.")
    if target.is_dir():
        raise UnsafeWrite(f"{target} is a folder, but the exercise needs a file with that name. Move the folder "
                          "away (or rename it), then save again or run `torchtutor reset` for this exercise.")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


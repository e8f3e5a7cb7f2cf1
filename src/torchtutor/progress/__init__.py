"""Learner progress: a versioned SQLite store per workspace (stdlib only, no torch).

Typical use::

    from torchtutor.progress import ProgressStore, code_hash

    with ProgressStore(workspace / ".torchtutor" / "progress.sqlite3") as store:
        if store.notice:            # a damaged file was moved aside
            print(store.notice)
        store.record_attempt("tensors/create", verdict.passed, verdict.to_dict(),
                             code_hash(path.read_bytes()))
        store.status("tensors/create")          # 'pending' | 'done' | 'failing'

See :mod:`torchtutor.progress.store` for the schema, durability and recovery rules.
"""

from torchtutor.progress import store as _store
from torchtutor.progress.store import (
    APPLICATION_ID,
    BUSY_TIMEOUT_S,
    MIGRATIONS,
    SCHEMA_VERSION,
    Attempt,
    Evidence,
    Migration,
    ProgressError,
    ProgressStore,
    QuizAnswer,
    code_hash,
)

#: Where a workspace keeps its store, relative to the workspace root.
DEFAULT_RELATIVE_PATH = ".torchtutor/progress.sqlite3"

__all__ = [*_store.__all__, "DEFAULT_RELATIVE_PATH"]

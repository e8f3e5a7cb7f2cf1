"""The learner's workspace and the operations every front end offers on it.

A workspace is a folder with the learner's exercise files and ``.torchtutor/`` (the
progress database, backups). The CLI, the notebook API and the web reader all call
:class:`Workspace` so that listing, checking, hints, solutions and resets behave the
same everywhere; the front ends only parse input and render.
"""

from .core import Entry, HintStep, Workspace, WorkspaceError, discover, open_workspace

__all__ = ["Entry", "HintStep", "Workspace", "WorkspaceError", "discover", "open_workspace"]

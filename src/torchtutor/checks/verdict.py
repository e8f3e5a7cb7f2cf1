"""The Verdict: what one check of one exercise concluded.

A verdict is plain data so that it can cross a process boundary as JSON (the runner's
child writes one, the worker relays it, the CLI and the web reader render it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Verdict:
    """The outcome of checking one exercise.

    id             exercise id, e.g. ``tensors/create-tensors``
    passed         True when every check held
    summary        one sentence that names the mistake (or says it passed)
    details        further lines: what was expected, what was seen, why it matters
    misconceptions ids of the misconceptions (or catalogue mistakes) the failure points at
    duration_ms    wall time of the check, measured by whoever ran it
    failure        a short tag for the failure that fired (drives the first hint rung)
    stdout         what the learner's code printed (capped)
    explanations   for each misconception id the course or the mistake catalogue explains,
                   ``{"id": ..., "text": ...}``: why the mistake matters, in words. Added by
                   the workspace (``Workspace.check``), so every front end shows the same words.
    """

    id: str
    passed: bool
    summary: str
    details: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)
    duration_ms: float = 0.0
    failure: str | None = None
    stdout: str = ""
    explanations: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Verdict":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def missing_file_verdict(exercise_id: str, path: str | Path) -> Verdict:
    """The verdict for an exercise whose file is not there: moved, renamed, deleted, or a
    folder where the file should be. The CLI, the web reader and the harness all use it."""
    folder = Path(path).is_dir()
    what = "is a folder, not a file" if folder else "does not exist"
    kept = " (the folder is moved, with everything in it, to .torchtutor/backups/)" if folder else ""
    return Verdict(id=exercise_id, passed=False, summary=f"The exercise file {path} {what}.",
                   details=[f"Run `torchtutor reset {exercise_id}` to put the starter back there{kept}."],
                   failure="missing-file")

"""The Verdict: what one check of one exercise concluded.

A verdict is plain data so that it can cross a process boundary as JSON (the runner's
child writes one, the worker relays it, the CLI and the web reader render it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
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
    """

    id: str
    passed: bool
    summary: str
    details: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)
    duration_ms: float = 0.0
    failure: str | None = None
    stdout: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Verdict":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

"""The ``torchtutor`` console script: answer through a running server when one is up, else the full CLI.

Importing the full CLI (typer, rich, the course models) costs about a third of a second
before any work; a ``torchtutor check`` that a running ``torchtutor serve`` answers
skips all of that (see :mod:`torchtutor.service`).
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["doctor"]:  # the doctor needs neither the server nor the course layers
        from .cli_doctor import main as doctor_main

        doctor_main()
        return
    from .service import try_service

    code = try_service(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":  # pragma: no cover
    main()

"""``python -m torchtutor``: the same as the ``torchtutor`` command."""

from .launch import main

main()

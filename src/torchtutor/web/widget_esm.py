"""A widget's front end as one self-contained ES module, for hosts that load a single file.

The widget modules in ``static/widgets/`` import their small helpers from ``_kit.js``;
the web reader serves both files. A notebook (anywidget's ``_esm``) wants one module, so
:func:`widget_esm` inlines the kit in place of the import.
"""

from __future__ import annotations

import re
from pathlib import Path

WIDGET_DIR = Path(__file__).resolve().parent / "static" / "widgets"
_KIT_IMPORT = re.compile(r'^import \{[^}]*\} from "\./_kit\.js";\n', re.M)


def widget_esm(name: str) -> str:
    """The anywidget-format module of widget ``name`` (kebab-case), with its helpers inlined."""
    path = WIDGET_DIR / f"{name}.js"
    if name.startswith("_") or not path.is_file():
        known = ", ".join(sorted(p.stem for p in WIDGET_DIR.glob("[!_]*.js")))
        raise KeyError(f"There is no widget front end {name!r}; there are: {known}.")
    kit = (WIDGET_DIR / "_kit.js").read_text(encoding="utf-8").replace("export function", "function")
    return _KIT_IMPORT.sub(lambda _m: kit + "\n", path.read_text(encoding="utf-8"), count=1)

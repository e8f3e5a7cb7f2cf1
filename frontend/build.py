"""Build the web reader's vendored front end from pinned npm packages (never a CDN at run time).

    cd frontend && npm ci            # the versions pinned in package.json / package-lock.json
    python frontend/build.py         # both steps below
    python frontend/build.py editor  # CodeMirror 6 -> src/torchtutor/web/static/vendor/codemirror.js (+ licences)
    python frontend/build.py diagrams   # every ```mermaid block of the course -> static/diagrams/<hash>.svg

The outputs are committed, so `pip install` needs neither node nor a browser. Diagrams
are drawn by the pinned mermaid package in headless Chromium (/usr/bin/chromium via
Playwright); run the diagrams step after adding or changing a Mermaid block.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STATIC = ROOT / "src" / "torchtutor" / "web" / "static"
VENDOR = STATIC / "vendor"
MODULES = HERE / "node_modules"
sys.path.insert(0, str(ROOT / "src"))


def need_modules() -> None:
    if not MODULES.is_dir():
        sys.exit(f"{MODULES} is missing: run `npm ci` in {HERE} first (it installs the pinned versions).")


def editor() -> None:
    need_modules()
    VENDOR.mkdir(parents=True, exist_ok=True)
    out = VENDOR / "codemirror.js"
    subprocess.run([str(MODULES / ".bin" / "esbuild"), str(HERE / "editor.js"), "--bundle", "--format=esm",
                    "--minify", "--legal-comments=none", f"--outfile={out}"], check=True)
    licences = []
    for package in sorted(p for p in MODULES.glob("*") if p.is_dir()) + sorted(MODULES.glob("@*/*")):
        meta = package / "package.json"
        if not meta.is_file():
            continue
        name = json.loads(meta.read_text())["name"]
        if not (name.startswith(("@codemirror/", "@lezer/")) or name in ("crelt", "style-mod", "w3c-keyname", "@marijn/find-cluster-break")):
            continue
        version = json.loads(meta.read_text())["version"]
        text = next((f.read_text(encoding="utf-8") for f in package.glob("LICENSE*")), "(licence: see package.json)")
        licences.append(f"==== {name} {version} ====\n{text.strip()}\n")
    (VENDOR / "codemirror.LICENSES.txt").write_text(
        "Licences of the packages bundled into codemirror.js (built by frontend/build.py).\n\n" + "\n".join(licences),
        encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB) and its licences")


_NUMBER = re.compile(r"-?\d+\.\d{2,}")


def _compact(svg: str) -> str:
    """Round coordinates in path data to 0.1 px (mermaid writes 12+ digits): a third of the size, same picture."""
    def path(match: re.Match) -> str:
        return ' d="' + _NUMBER.sub(lambda m: f"{float(m.group()):.1f}", match.group(1)) + '"'
    return re.sub(r' d="([^"]*)"', path, svg)


def diagrams() -> None:
    need_modules()
    from playwright.sync_api import sync_playwright

    from torchtutor.curriculum import load_or_raise
    from torchtutor.web.diagrams import DIAGRAM_DIR, course_diagrams, diagram_file

    found = course_diagrams(load_or_raise())
    DIAGRAM_DIR.mkdir(parents=True, exist_ok=True)
    wanted = {diagram_file(src).name for _, _, src in found}
    version = json.loads((MODULES / "mermaid" / "package.json").read_text())["version"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!doctype html><body></body>")
        page.add_script_tag(path=str(MODULES / "mermaid" / "dist" / "mermaid.min.js"))
        page.evaluate("""() => mermaid.initialize({startOnLoad: false, securityLevel: 'strict', theme: 'default',
                                                  flowchart: {htmlLabels: false}, handDrawnSeed: 1, fontFamily: 'system-ui, sans-serif'})""")
        for n, (slug, line, source) in enumerate(found):
            svg = page.evaluate("async ([id, src]) => (await mermaid.render(id, src)).svg", [f"tt-diagram-{n}", source])
            svg = _compact(svg)
            target = diagram_file(source)
            target.write_text(f"<!-- drawn by mermaid {version} from {slug}/lesson.md line {line} -->\n{svg}\n",
                              encoding="utf-8")
            print(f"{slug}/lesson.md:{line} -> {target.name} ({len(svg) // 1024} KiB)")
        browser.close()
    for stale in DIAGRAM_DIR.glob("*.svg"):
        if stale.name not in wanted:
            stale.unlink()
            print(f"removed {stale.name} (no lesson uses it any more)")
    licence = MODULES / "mermaid" / "LICENSE"
    (DIAGRAM_DIR / "MERMAID-LICENSE.txt").write_text(
        f"The SVGs here were drawn by mermaid {version} (https://github.com/mermaid-js/mermaid).\n\n"
        + (licence.read_text(encoding="utf-8") if licence.is_file() else "MIT License"), encoding="utf-8")


if __name__ == "__main__":
    steps = sys.argv[1:] or ["editor", "diagrams"]
    for step in steps:
        {"editor": editor, "diagrams": diagrams}[step]()

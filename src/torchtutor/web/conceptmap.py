"""The concept map: every concept of the course, by lesson, at its depth, coloured by evidence.

One column per lesson (grouped by module), one band per depth (APPLIED at the top,
MENTIONED at the bottom). Each concept is a card in the column of the lesson that
teaches it, in the band of the depth it is taught to; its colour says what the learner
has shown: passed an exercise or check that uses it, tried one, or not yet; a line
under it names the later lessons that use it again. The
picture is an SVG made on the server from ``Workspace.progress()``.
"""

from __future__ import annotations

import html
import textwrap

DEPTHS = ("APPLIED", "DEVELOPED", "INTRODUCED", "MENTIONED")
COLOURS = {"shown": ("#bbf7d0", "#15803d", "#14532d"), "tried": ("#fde68a", "#b45309", "#78350f"),
           "not yet": ("#f1f5f9", "#94a3b8", "#334155")}
COL_W, GAP, CARD_W, LINE_H, PAD = 178, 14, 164, 13, 6
LEFT, TOP = 96, 72


def _lines(name: str) -> list[str]:
    return textwrap.wrap(name.replace("`", ""), 26) or [name]


def reused_in(course) -> dict[str, list[str]]:
    """For each concept, the numbers of the later lessons whose exercises or checks use it again."""
    out: dict[str, list[str]] = {}
    home = {c.name: lesson.number for lesson in course.lessons for c in lesson.concepts}
    for lesson in course.lessons:
        used = {name for ex in lesson.exercises for name in ex.concepts}
        used |= {name for check in lesson.checks for name in check.concepts}
        for name in used:
            if home.get(name) not in (None, lesson.number):
                out.setdefault(name, []).append(lesson.number)
    return out


def _card_height(concept: dict, again: dict) -> int:
    return len(_lines(concept["name"])) * LINE_H + 2 * PAD + (LINE_H if concept["name"] in again else 0)


def concept_map_svg(course, progress: dict) -> str:
    lessons = course.lessons
    again = reused_in(course)
    by_lesson: dict[str, list[dict]] = {l.slug: [] for l in lessons}
    for c in progress["concepts"]:
        by_lesson.setdefault(c["lesson"], []).append(c)

    # band heights: the tallest stack of cards of that depth in any lesson
    heights = {}
    for depth in DEPTHS:
        tallest = 0
        for slug, items in by_lesson.items():
            stack = sum(_card_height(c, again) + 6 for c in items if c["depth"] == depth)
            tallest = max(tallest, stack)
        heights[depth] = max(tallest, 30) + 16
    width = LEFT + len(lessons) * (COL_W + GAP) + 10
    height = TOP + sum(heights.values()) + 40
    e = html.escape
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' class='concept-map-svg' viewBox='0 0 {width} {height}' "
           f"width='{width}' height='{height}' role='img' aria-label='Concept map: every concept by lesson and depth'>",
           "<style>.cm-t{font:11px system-ui,sans-serif}.cm-h{font:600 12px system-ui,sans-serif}"
           ".cm-d{font:600 10px system-ui,sans-serif;letter-spacing:.06em}.cm-r{font:10px system-ui,sans-serif;fill:#6366f1}</style>"]
    # module headers and lesson headers
    x = LEFT
    module_spans: dict[str, list[int]] = {}
    done = {l["slug"]: (l["done"], l["total"]) for l in progress.get("lessons", [])}
    for lesson in lessons:
        module_spans.setdefault(lesson.module or "", []).append(x)
        passed, total = done.get(lesson.slug, (0, 0))
        out.append(f"<a href='/lesson/{e(lesson.slug)}'><text class='cm-h' x='{x + 4}' y='{TOP - 20}' fill='#0f172a'>"
                   f"{e(lesson.number)} {e(lesson.slug)}</text></a>")
        if total:
            out.append(f"<rect x='{x + 4}' y='{TOP - 13}' width='{CARD_W}' height='5' rx='2.5' fill='#e2e8f0'/>"
                       f"<rect x='{x + 4}' y='{TOP - 13}' width='{CARD_W * passed / total:.1f}' height='5' rx='2.5' "
                       f"fill='#16a34a'><title>{passed} of {total} exercises passed</title></rect>")
        x += COL_W + GAP
    for module in course.modules:
        xs = module_spans.get(module.slug)
        if not xs:
            continue
        x0, x1 = xs[0], xs[-1] + COL_W
        out.append(f"<rect x='{x0}' y='8' width='{x1 - x0}' height='22' rx='6' fill='#e0e7ff'/>"
                   f"<text class='cm-h' x='{x0 + 8}' y='23' fill='#3730a3'>Module {e(module.number)} · {e(module.title)}</text>")
    # depth bands
    y = TOP
    band_top = {}
    for i, depth in enumerate(DEPTHS):
        band_top[depth] = y
        fill = "#fafafa" if i % 2 == 0 else "#ffffff"
        out.append(f"<rect x='0' y='{y}' width='{width}' height='{heights[depth]}' fill='{fill}'/>"
                   f"<text class='cm-d' x='8' y='{y + 18}' fill='#64748b'>{depth}</text>")
        y += heights[depth]
    # cards
    for col, lesson in enumerate(lessons):
        cx = LEFT + col * (COL_W + GAP) + (COL_W - CARD_W) // 2
        for depth in DEPTHS:
            cy = band_top[depth] + 8
            for c in (c for c in by_lesson.get(lesson.slug, []) if c["depth"] == depth):
                lines = _lines(c["name"])
                h = _card_height(c, again)
                fill, stroke, ink = COLOURS.get(c["status"], COLOURS["not yet"])
                tip = f"{c['name']} — {depth.lower()} in {lesson.slug}; {c['status']} ({c['passed']} of {c['evidence']} attempts passed)"
                out.append(f"<g class='cm-card' data-status='{e(c['status'])}'><title>{e(tip)}</title>"
                           f"<rect x='{cx}' y='{cy}' width='{CARD_W}' height='{h}' rx='7' fill='{fill}' stroke='{stroke}'/>")
                for j, line in enumerate(lines):
                    out.append(f"<text class='cm-t' x='{cx + 8}' y='{cy + PAD + (j + 1) * LINE_H - 3}' fill='{ink}'>{e(line)}</text>")
                if c["name"] in again:
                    out.append(f"<text class='cm-r' x='{cx + 8}' y='{cy + PAD + (len(lines) + 1) * LINE_H - 3}'>"
                               f"↻ used again in {e(', '.join(again[c['name']]))}</text>")
                out.append("</g>")
                cy += h + 6
    # legend
    lx = LEFT
    for status, label in (("shown", "shown: passed an exercise or check"), ("tried", "tried, not yet passed"),
                          ("not yet", "no evidence yet")):
        fill, stroke, ink = COLOURS[status]
        out.append(f"<rect x='{lx}' y='{height - 28}' width='14' height='14' rx='3' fill='{fill}' stroke='{stroke}'/>"
                   f"<text class='cm-t' x='{lx + 20}' y='{height - 17}' fill='#334155'>{e(label)}</text>")
        lx += 250
    out.append("</svg>")
    return "".join(out)

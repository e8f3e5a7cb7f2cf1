"""Documents generated from the course data, in the shape of the seed documents:
the concept index, the module record, the module plan and the series summary."""

from __future__ import annotations

from .loader import Course
from .models import Depth, Lesson, Module


def concept_index(course: Course) -> list[dict]:
    """One row per concept: its deepest depth, the lesson that reaches it, and every
    exercise or check (``lesson/id``) that exercises it, in course order."""
    rows: dict[str, dict] = {}
    for lesson in course.lessons:
        for c in lesson.concepts:
            row = rows.get(c.name)
            if row is None or c.depth > Depth[row["depth"]]:
                exercised = row["exercised_by"] if row else []
                rows[c.name] = {"name": c.name, "depth": c.depth.name, "lesson": lesson.slug, "notes": c.notes,
                                "exercised_by": exercised}
    for lesson in course.lessons:
        for item in [*lesson.exercises, *lesson.checks]:
            for name in item.concepts:
                if name in rows:
                    rows[name]["exercised_by"].append(f"{lesson.slug}/{item.id}")
    return list(rows.values())


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _module_lessons(course: Course, module: Module) -> list[Lesson]:
    return [l for l in course.lessons if l.module == module.slug]


def _status(course: Course, module: Module) -> str:
    built = len(_module_lessons(course, module))
    total = built + len(module.planned)
    state = "Complete" if built == total and total else ("Planned" if built == 0 else "In Progress")
    return f"{state} ({built} of {total} lessons built)"


def _where(course: Course, slug: str) -> str:
    lesson = course.lesson(slug)
    if lesson:
        return f"lesson {lesson.number}: {slug}"
    planned = next((p for p in course.planned() if p.slug == slug), None)
    return f"lesson {planned.number}: {slug}" if planned else slug


def module_record(course: Course, module: Module) -> str:
    lessons = _module_lessons(course, module)
    out = [f"# Module {module.number}: {module.title} — Record", "",
           f"**Goal:** {_cell(module.goal)}", f"**Status:** {_status(course, module)}", "",
           "## Concept Index", "", "| Concept | Depth | Lesson | Notes |", "|---------|-------|--------|-------|"]
    for lesson in lessons:
        for c in lesson.concepts:
            out.append(f"| {_cell(c.name)} | {c.depth.name} | {lesson.slug} | {_cell(c.notes)} |")
    out += ["", "## Per-Lesson Summaries", ""]
    for i, lesson in enumerate(lessons, 1):
        out += [f"### {lesson.slug} (Lesson {i} — {lesson.type.value})", "",
                f"**{lesson.title}.** {_cell(lesson.summary)}", "",
                "**Concepts taught:** " + ", ".join(c.name for c in lesson.concepts), ""]
        if lesson.mental_models:
            out.append("**Mental models established:**")
            out += [f"- \"{m.text}\"" + (f" — {_cell(m.explanation)}" if m.explanation else "") for m in lesson.mental_models]
            out.append("")
        if lesson.analogies:
            out.append("**Analogies used:**")
            out += [f"- \"{a.text}\"" + (f" — {_cell(a.explanation)}" if a.explanation else "") for a in lesson.analogies]
            out.append("")
        out.append("**How concepts were taught:**")
        out += [f"- {c.name} ({c.depth.name}): {_cell(c.notes)}" for c in lesson.concepts if c.notes]
        out.append("")
        if lesson.misconceptions:
            out.append("**Misconceptions addressed:**")
            out += [f"- \"{m.belief}\" — {_cell(m.truth)}" for m in lesson.misconceptions]
            out.append("")
        out.append("**Checks and exercises:**")
        kinds = {"predict": "Predict-and-verify", "transfer": "Transfer question", "choice": "Multiple choice"}
        for n, ch in enumerate(lesson.checks, 1):
            out.append(f"- Check {n}: {kinds[ch.kind]} — {_cell(ch.prompt)}")
        if lesson.exercises:
            out.append("- Exercises: " + ", ".join(f"{e.title} ({e.level.value})" for e in lesson.exercises))
        out.append("")
        if lesson.deferred:
            out.append("**What is NOT covered (explicitly deferred):**")
            out += [f"- {d.topic} ({'beyond this series' if d.beyond else _where(course, d.lesson)})" for d in lesson.deferred]
            out.append("")
    out += ["## Key Mental Models and Analogies", "", "| Model/Analogy | Established In | Available For |",
            "|---------------|---------------|---------------|"]
    order = [l.slug for l in course.lessons] + [p.slug for p in course.planned()]
    for lesson in lessons:
        later = order[order.index(lesson.slug) + 1:]
        available = ", ".join(later[:4]) + (", ..." if len(later) > 4 else "") if later else "the rest of the series"
        for item in [*lesson.mental_models, *lesson.analogies]:
            out.append(f"| \"{_cell(item.text)}\" | {lesson.slug} | {available} |")
    return "\n".join(out) + "\n"


def module_plan(course: Course, module: Module) -> str:
    lessons = _module_lessons(course, module)
    sequence: list[tuple[str, str, str, str, bool]] = [(l.number, l.slug, l.title, l.type.value, True) for l in lessons]
    sequence += [(p.number, p.slug, p.title, p.type.value, False) for p in module.planned]
    sequence.sort(key=lambda row: tuple(int(x) for x in row[0].split(".")))
    out = [f"# Module {module.number}: {module.title} — Plan", "", f"**Status:** {_status(course, module)}", "",
           "## Module Goal", "", _cell(module.goal), "", "## Narrative Arc", "", _cell(module.narrative) or "(not written)", ""]
    if module.emotional_arc:
        out += [f"The emotional arc: {_cell(module.emotional_arc)}", ""]
    out += ["## Lesson Sequence", "", "| # | Slug | Core Concept | Type | Rationale for Position | Status |",
            "|---|------|-------------|------|----------------------|--------|"]
    for i, (number, slug, title, kind, built) in enumerate(sequence, 1):
        rationale = _cell(module.rationale.get(slug, ""))
        out.append(f"| {i} | {slug} | {_cell(title)} | {kind} | {rationale} | {'**Built**' if built else 'Planned'} |")
    out += ["", "## Cognitive Load Trajectory", "", "```"]
    width = max((len(f"Lesson {i} ({s[1]}):") for i, s in enumerate(sequence, 1)), default=0)
    for i, (_, slug, title, kind, _) in enumerate(sequence, 1):
        out.append(f"{f'Lesson {i} ({slug}):':<{width}} {kind:<12} — {title}")
    out += ["```", "", " -> ".join(s[3] for s in sequence) + "."]
    stretches = [i for i, s in enumerate(sequence) if s[3] == "STRETCH"]
    for i in stretches:
        before = sequence[i - 1][3] if i > 0 else None
        after = sequence[i + 1][3] if i + 1 < len(sequence) else None
        out.append(f"The STRETCH lesson ({sequence[i][1]}) sits between {before or 'the start'} and {after or 'the end'}"
                   " lessons, so the new mechanism is flanked by familiar territory.")
    out += ["", "## Module-Level Misconceptions", ""]
    out += [f"- **\"{m.belief}\"** — {_cell(m.truth)}" for m in module.misconceptions]
    return "\n".join(out) + "\n"


def series_summary(course: Course) -> str:
    s = course.series
    out = [f"# Series {s.number}: {s.title} — Summary", "", "## Series Goal", "", _cell(s.goal), "", "## Rolled-Up Concept List", ""]
    for module in course.modules:
        lessons = _module_lessons(course, module)
        out += [f"### From Module {module.number}: {module.title} ({_status(course, module)})", ""]
        if not lessons:
            out += ["Planned topics: " + "; ".join(t for p in module.planned for t in p.takes_up), ""]
            continue
        out += ["| Concept | Depth | Key Teaching |", "|---------|-------|-------------|"]
        for lesson in lessons:
            for c in lesson.concepts:
                out.append(f"| {_cell(c.name)} | {c.depth.name} | {_cell(c.notes)} |")
        out.append("")
    out += ["## Key Mental Models Carried Forward", ""]
    n = 0
    for lesson in course.lessons:
        for m in lesson.mental_models:
            n += 1
            out.append(f"{n}. **\"{m.text}\"** — {_cell(m.explanation) or lesson.slug}")
    beyond = sorted({d.topic for l in course.lessons for d in l.deferred if d.beyond})
    out += ["", "## What This Series Does NOT Cover", ""] + [f"- {t}" for t in beyond]
    return "\n".join(out) + "\n"

"""Documents generated from the course data, in the shape of the seed documents: the
concept index, the module record (seed 000), the module plan (seed 002) and the series
summary (seed 001).

Nothing here is typed twice: a check's answer is what its code computes, the "Available
For" column is each mental model's own ``available_for``, and the outstanding
deliverables are what the course and the notebooks folder actually lack.
"""

from __future__ import annotations

from pathlib import Path

from .evaluate import format_value, run_check_code
from .loader import Course
from .models import Check, Depth, Lesson, Module, normalise_topic


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


# --------------------------------------------------------------------------- shared pieces


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _module_lessons(course: Course, module: Module) -> list[Lesson]:
    return [l for l in course.lessons if l.module == module.slug]


def _sequence(course: Course, module: Module) -> list[tuple[str, str, str, str, bool]]:
    """(number, slug, title, type, built) for every lesson of the module, in number order."""
    rows = [(l.number, l.slug, l.title, l.type.value, True) for l in _module_lessons(course, module)]
    rows += [(p.number, p.slug, p.title, p.type.value, False) for p in module.planned]
    return sorted(rows, key=lambda row: tuple(int(x) for x in row[0].split(".")))


def _counts(course: Course, module: Module) -> tuple[int, int]:
    built = len(_module_lessons(course, module))
    return built, built + len(module.planned)


def _state(course: Course, module: Module) -> str:
    built, total = _counts(course, module)
    return "Complete" if built == total and total else ("Planned" if built == 0 else "In Progress")


def _status(course: Course, module: Module) -> str:
    built, total = _counts(course, module)
    return f"{_state(course, module)} ({built} of {total} lessons built)"


def _where(course: Course, module_of: Module, slug: str) -> str:
    """A deferral target as the record writes it: ``lesson 4: training-loop`` inside the
    module, ``Module 2.2: datasets-and-dataloaders`` beyond it."""
    for module in course.modules:
        for i, row in enumerate(_sequence(course, module), 1):
            if row[1] == slug:
                return f"lesson {i}: {slug}" if module is module_of else f"Module {module.number}: {slug}"
    return slug


def check_answer(lesson: Lesson, check: Check) -> str:
    """The answer of a check, as the quiz tells it: a predict check's code is run (the same
    function the quiz uses) and its value formatted the same way."""
    if check.kind == "choice":
        return check.options[check.answer]
    if check.kind == "transfer":
        first = _cell(check.model_answer or "").split(". ")[0]
        return first.rstrip(".") + "."
    value, _ = run_check_code(lesson, check)
    return format_value(check.answer_kind or "text", value)


_KINDS = {"predict": "Predict-and-verify", "transfer": "Transfer question", "choice": "Multiple choice"}


def _models_and_analogies(lesson: Lesson) -> list[tuple[str, list[str], str]]:
    """The lesson's distinct ideas for the record's table: every mental model, then the
    analogies that are not one of them (same text, or ``illustrates`` set)."""
    rows = [(m.text, m.available_for, m.reuse) for m in lesson.mental_models]
    seen = {normalise_topic(m.text) for m in lesson.mental_models}
    for a in lesson.analogies:
        if a.illustrates is None and normalise_topic(a.text) not in seen:
            rows.append((a.text, [], ""))
            seen.add(normalise_topic(a.text))
    return rows


# --------------------------------------------------------------------------- the module record


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
        out += _lesson_summary(course, module, lesson, i)
    out += ["## Key Mental Models and Analogies", "", "| Model/Analogy | Established In | Available For |",
            "|---------------|---------------|---------------|"]
    for carried in module.carried_forward:
        out.append(f"| \"{_cell(carried.text)}\" (from an earlier series) | {_cell(carried.origin)} | "
                   f"Extended here: {_cell(carried.extended)} |")
    for lesson in lessons:
        for text, available, reuse in _models_and_analogies(lesson):
            where = ", ".join(available) if available else "not used again in this series"
            if reuse:
                where += f" ({_cell(reuse)})"
            out.append(f"| \"{_cell(text)}\" | {lesson.slug} | {where} |")
    return "\n".join(out) + "\n"


def _lesson_summary(course: Course, module: Module, lesson: Lesson, position: int) -> list[str]:
    teaching = lesson.teaching
    out = [f"### {lesson.slug} (Lesson {position} — {lesson.type.value})", "",
           f"**Concepts taught:** {_cell(teaching.concepts_taught) if teaching else ', '.join(c.name for c in lesson.concepts)}",
           ""]
    if lesson.mental_models:
        out.append("**Mental models established:**")
        out += [f"- \"{m.text}\"" + (f" — {_cell(m.explanation)}" if m.explanation else "") for m in lesson.mental_models]
        out.append("")
    if lesson.analogies:
        out.append("**Analogies used:**")
        out += [f"- \"{a.text}\"" + (f" — {_cell(a.explanation)}" if a.explanation else "") for a in lesson.analogies]
        out.append("")
    out.append("**How concepts were taught:**")
    if teaching:
        out.append(f"- Hook: {_cell(teaching.hook)}")
        out += [f"- {_cell(step)}" for step in teaching.sequence]
        if teaching.negative_examples:
            out.append("- Negative examples: " + "; ".join(
                f"({n}) {_cell(e).rstrip('.')}" for n, e in enumerate(teaching.negative_examples, 1)) + ".")
    else:
        out += [f"- {c.name}: {_cell(c.notes)}" for c in lesson.concepts if c.notes]
    out.append("")
    if lesson.misconceptions:
        out.append("**Misconceptions addressed:**")
        out += [f"- \"{m.belief}\" — {_cell(m.truth)}" for m in lesson.misconceptions]
        out.append("")
    out.append("**Checks and exercises:**")
    for n, check in enumerate(lesson.checks, 1):
        out.append(f"- Check {n}: {_KINDS[check.kind]} — {_cell(check.prompt)} (answer: {_cell(check_answer(lesson, check))})")
    if lesson.exercises:
        out.append("- Exercises: " + ", ".join(f"{e.title} ({e.level.value})" for e in lesson.exercises))
    out.append("")
    if lesson.deferred:
        out.append("**What is NOT covered (explicitly deferred):**")
        out += [f"- {d.topic} ({'beyond this series' if d.beyond else _where(course, module, d.lesson)})"
                for d in lesson.deferred]
        out.append("")
    return out


# --------------------------------------------------------------------------- the module plan


def module_plan(course: Course, module: Module) -> str:
    sequence = _sequence(course, module)
    built, total = _counts(course, module)
    out = [f"# Module {module.number}: {module.title} — Plan", "",
           f"**Status:** {_state(course, module)} ({built} of {total} built)", "",
           "## Module Goal", "", _cell(module.goal), "", "## Narrative Arc", "", _cell(module.narrative) or "(not written)", ""]
    if module.arc:
        out += [f"{n}. {_cell(step)}" for n, step in enumerate(module.arc, 1)] + [""]
    if module.emotional_arc:
        out += [f"The emotional arc: {_cell(module.emotional_arc)}", ""]
    out += ["## Lesson Sequence", "", "| # | Slug | Core Concept | Type | Rationale for Position | Status |",
            "|---|------|-------------|------|----------------------|--------|"]
    for i, (_, slug, title, kind, is_built) in enumerate(sequence, 1):
        core = _cell(module.core_concept.get(slug, title))
        rationale = _cell(module.rationale.get(slug, ""))
        out.append(f"| {i} | {slug} | {core} | {kind} | {rationale} | {'**Built**' if is_built else 'Planned'} |")
    out += ["", "## Rough Topic Allocation", "", "| Lesson | Topics | Notes |", "|--------|--------|-------|"]
    for _, slug, title, _, _ in sequence:
        out.append(f"| {slug} | {_cell(module.topics.get(slug, title))} | {_cell(module.topic_notes.get(slug, ''))} |")
    if module.allocation_note:
        out += ["", _cell(module.allocation_note)]
    out += ["", "## Cognitive Load Trajectory", "", "```"]
    labels = [f"Lesson {i} ({row[1]}):" for i, row in enumerate(sequence, 1)]
    width = max((len(label) for label in labels), default=0)
    for label, (_, slug, _, kind, _) in zip(labels, sequence):
        out.append(f"{label:<{width}} {kind:<12} — {_cell(module.load.get(slug, ''))}".rstrip(" —"))
    out += ["```", "", " -> ".join(row[3] for row in sequence) + "."]
    for i, row in enumerate(sequence):
        if row[3] != "STRETCH":
            continue
        before = sequence[i - 1][3] if i > 0 else None
        after = sequence[i + 1][3] if i + 1 < len(sequence) else None
        if before and after:
            out.append(f"The STRETCH lesson ({row[1]}) sits between a {before} and a {after} lesson, "
                       "so the new mechanism is flanked by familiar territory.")
        else:
            out.append(f"The STRETCH lesson ({row[1]}) sits at the {'start' if before is None else 'end'} of the module.")
    out += ["", "## Module-Level Misconceptions", ""]
    out += [f"- **\"{m.belief}\"** — {_cell(m.truth)}" for m in module.misconceptions]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- the series summary

_FILLER = {"a", "an", "and", "as", "beyond", "in", "of", "or", "the", "with", "writing"}


def _topic_words(text: str) -> set[str]:
    import re

    text = re.sub(r"\([^)]*\)", " ", text.lower())
    return {w for w in re.findall(r"[a-z0-9]+", text) if w not in _FILLER}


def _same_topic(a: str, b: str) -> bool:
    """Two exclusions name the same thing when one's words are all in the other's
    ("Custom autograd functions" and "Custom autograd functions (torch.autograd.Function)")."""
    wa, wb = _topic_words(a), _topic_words(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def notebook_name(lesson_number: str, slug: str) -> str:
    """The notebook file of a lesson, named like the seeds': ``2-1-1-tensors.ipynb``."""
    return f"{lesson_number.replace('.', '-')}-{slug}.ipynb"


def default_notebooks_dir(course: Course) -> Path | None:
    """``notebooks/`` of a source checkout (the course sits at ``src/torchtutor/course``)."""
    candidate = course.root.resolve().parents[2] / "notebooks" if len(course.root.resolve().parents) > 2 else None
    return candidate if candidate is not None and candidate.is_dir() else None


def outstanding_deliverables(course: Course, notebooks: Path | None) -> list[str]:
    """What the series still lacks: lessons not yet written, and written lessons without
    their notebook (when a notebooks folder is known)."""
    missing = []
    for module in course.modules:
        for number, slug, title, _, built in _sequence(course, module):
            if not built:
                missing.append(f"Lesson {number} {slug} ({title}) is planned but not written yet.")
            elif notebooks is not None and not (notebooks / notebook_name(number, slug)).is_file():
                missing.append(f"The notebook for lesson {number} {slug} "
                               f"(`notebooks/{notebook_name(number, slug)}`) has not been created yet.")
    return missing


def series_summary(course: Course, notebooks: Path | None = None) -> str:
    s = course.series
    notebooks = notebooks if notebooks is not None else default_notebooks_dir(course)
    states = [(m, _state(course, m)) for m in course.modules]
    overall = ("Complete" if all(st == "Complete" for _, st in states)
               else "Planned" if all(st == "Planned" for _, st in states) else "In Progress")
    out = [f"# Series {s.number}: {s.title} — Summary", "",
           "**Status:** " + overall + " (" + ", ".join(
               f"Module {m.number}: {st.lower()}" + ("" if st != "In Progress" else
                                                      " ({} of {} lessons built)".format(*_counts(course, m)))
               for m, st in states) + ")", "",
           "## Series Goal", "", _cell(s.goal)]
    if notebooks is not None and not any("notebook" in item for item in outstanding_deliverables(course, notebooks)):
        out[-1] += " Every lesson has a notebook."
    if s.emotional_arc:
        out[-1] += f" The emotional arc: {_cell(s.emotional_arc)}"
    out += ["", "## Rolled-Up Concept List", ""]
    for module, state in states:
        out += [f"### From Module {module.number}: {module.title} ({state.lower()})", "",
                "| Concept | Depth | Key Teaching |", "|---------|-------|-------------|"]
        for lesson in _module_lessons(course, module):
            for c in lesson.concepts:
                out.append(f"| {_cell(c.name)} | {c.depth.name} | {_cell(c.notes)} |")
        for planned in module.planned:
            for topic in planned.takes_up:
                out.append(f"| {_cell(topic)} | planned | to be taught in lesson {planned.number} {planned.slug} |")
        out.append("")
    out += ["## Key Mental Models Carried Forward", ""]
    seen: set[str] = set()
    n = 0
    for lesson in course.lessons:
        for m in lesson.mental_models:
            key = normalise_topic(m.text)
            if key in seen:
                continue
            seen.add(key)
            n += 1
            out.append(f"{n}. **\"{m.text}\"** — {_cell(m.explanation) or lesson.slug}")
    out += ["", "## What This Series Does NOT Cover", ""]
    listed: list[str] = []
    for topic in [*s.not_covered, *(d.topic for l in course.lessons for d in l.deferred if d.beyond)]:
        if not any(_same_topic(topic, t) for t in listed):
            listed.append(topic)
    out += [f"- {t}" for t in listed]
    out += ["", "## Series Completion Notes", ""]
    built = sum(len(_module_lessons(course, m)) for m in course.modules)
    total = sum(_counts(course, m)[1] for m in course.modules)
    out.append(f"{built} of {total} lessons are built. {_cell(s.completion_notes)}".strip())
    out.append("")
    missing = outstanding_deliverables(course, notebooks)
    if notebooks is None:
        missing.append("Notebooks were not checked: no `notebooks/` folder was found (generate them with "
                       "`torchtutor notebook LESSON`, or pass `--notebooks DIR`).")
    if not missing:
        out.append("**Outstanding deliverables:** none.")
    else:
        out.append(f"**Outstanding deliverables ({len(missing)}):**")
        out += [f"- {item}" for item in missing]
    return "\n".join(out) + "\n"

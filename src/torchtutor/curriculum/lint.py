"""Lint: what a schema cannot catch. References, files, order and coverage.

Each rule appends :class:`Problem` rows; ``lint()`` returns them all, sorted by file
and line, so that ``torchtutor curriculum lint`` can print one ``file:line: problem``
row per error and exit 1.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from .files import exercise_files
from .loader import Course, Problem, load, locate, read_text
from .markdown import code_blocks, inline_checks
from .models import Depth, Lesson, LessonType


class _Ctx:
    def __init__(self, course: Course):
        self.course = course
        self.problems: list[Problem] = []
        self._texts: dict[Path, str] = {}

    def text(self, path: Path) -> str:
        if path not in self._texts:
            if not path.is_file():
                self._texts[path] = ""
            else:                                # a file that is not UTF-8 is a problem row, not a crash
                text = read_text(path, self.problems)
                self._texts[path] = "" if text is None else text
        return self._texts[path]

    def add(self, lesson: Lesson, loc: tuple, message: str, needle: str | None = None) -> None:
        """A problem at ``loc`` in lesson.toml; with ``needle``, at its first line from there on."""
        path = lesson.dir / "lesson.toml"
        text = self.text(path)
        line = locate(text, loc)
        if needle is not None:
            lines = text.splitlines()
            line = next((n for n in range(line, len(lines) + 1) if needle in lines[n - 1]), line)
        self.problems.append(Problem(path, line, message))


def errors(problems: list[Problem]) -> list[Problem]:
    """The rows that fail lint (everything but warnings)."""
    return [p for p in problems if not p.warning]


def lint(root: Path | None = None) -> list[Problem]:
    course, problems = load(root)
    if course is None:
        return problems
    ctx = _Ctx(course)
    ctx.problems.extend(problems)
    for rule in (_duplicates, _references, _files, _concept_order, _deferrals, _stretch_in_a_row,
                 _developed_is_exercised, _lesson_markdown, _checks_inline, _slip_tables, _record_data,
                 _plan_data, _hint_tags):
        rule(ctx)
    return sorted(set(ctx.problems), key=lambda p: (str(p.file), p.line, p.message))


def _duplicates(ctx: _Ctx) -> None:
    seen_lessons: Counter[str] = Counter()
    for lesson in ctx.course.lessons:
        seen_lessons[lesson.slug] += 1
        if seen_lessons[lesson.slug] == 2:
            ctx.add(lesson, ("slug",), f"duplicate lesson slug {lesson.slug!r}")
        for kind, items in (("exercise", lesson.exercises), ("check", lesson.checks),
                            ("misconception", lesson.misconceptions)):
            ids = Counter()
            plural = {"exercise": "exercises", "check": "checks", "misconception": "misconceptions"}[kind]
            for i, item in enumerate(items):
                ids[item.id] += 1
                if ids[item.id] == 2:
                    ctx.add(lesson, (plural, i, "id"), f"duplicate {kind} id {item.id!r}")
        names = Counter()
        for i, c in enumerate(lesson.concepts):
            names[c.name] += 1
            if names[c.name] == 2:
                ctx.add(lesson, ("concepts", i, "name"), f"concept {c.name!r} is listed twice in this lesson")
    numbers = Counter(l.number for l in ctx.course.lessons)
    for lesson in ctx.course.lessons:
        if numbers[lesson.number] > 1:
            ctx.add(lesson, ("number",), f"lesson number {lesson.number} is used by more than one lesson")


def _references(ctx: _Ctx) -> None:
    course = ctx.course
    order = {l.slug: i for i, l in enumerate(course.lessons)}
    known = course.lesson_slugs()
    all_concepts = {c.name for l in course.lessons for c in l.concepts}
    declared_misconceptions: set[str] = {m.id for mod in course.modules for m in mod.misconceptions}
    for lesson in course.lessons:
        declared_misconceptions |= {m.id for m in lesson.misconceptions}
        for i, pre in enumerate(lesson.prerequisites):
            if pre not in known:
                ctx.add(lesson, ("prerequisites",), f"prerequisite {pre!r} is not a lesson of this course")
            elif pre in order and order[pre] >= order[lesson.slug]:
                ctx.add(lesson, ("prerequisites",), f"prerequisite {pre!r} comes after this lesson in the course order")
        for i, ex in enumerate(lesson.exercises):
            for name in ex.concepts:
                if name not in all_concepts:
                    ctx.add(lesson, ("exercises", i, "concepts"), f"exercise {ex.id!r} names unknown concept {name!r}")
            for mid in ex.misconceptions:
                if mid not in declared_misconceptions:
                    ctx.add(lesson, ("exercises", i, "misconceptions"),
                            f"exercise {ex.id!r} targets misconception {mid!r}, which no lesson up to this one declares")
            _known_errors(ctx, lesson, i, declared_misconceptions)
        for i, check in enumerate(lesson.checks):
            for name in check.concepts:
                if name not in all_concepts:
                    ctx.add(lesson, ("checks", i, "concepts"), f"check {check.id!r} names unknown concept {name!r}")


PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")
TRANSLATED = {"doing", "error"}          # filled when the exception is translated (checks/calls.py)


def _known_errors(ctx: _Ctx, lesson: Lesson, i: int, declared_misconceptions: set[str]) -> None:
    """An exercise's known errors name misconceptions and catalogue ids that exist, have unique
    ids, and every id its checker asks for (``known("id")``) is declared."""
    from .tags import catalogue_ids, known_calls

    ex = lesson.exercises[i]
    seen: set[str] = set()
    for j, known in enumerate(ex.known_errors):
        at = ("exercises", i, "known_errors", j)
        if known.id in seen:
            ctx.add(lesson, (*at, "id"), f"exercise {ex.id!r} declares known error {known.id!r} twice")
        seen.add(known.id)
        if known.catalogue is not None and known.catalogue not in catalogue_ids():
            ctx.add(lesson, (*at, "catalogue"), f"known error {known.id!r} of exercise {ex.id!r} names catalogue id "
                    f"{known.catalogue!r}, which diagnose/catalogue.toml does not define")
        for mid in known.misconceptions:
            if mid not in declared_misconceptions:
                ctx.add(lesson, (*at, "misconceptions"), f"known error {known.id!r} of exercise {ex.id!r} names "
                        f"misconception {mid!r}, which no lesson up to this one declares")
    checker = exercise_files(lesson, ex).checker
    by_id = {k.id: k for k in ex.known_errors}
    for ids, filled, line in known_calls(lesson, ex):
        for name in ids:
            if name not in by_id:
                ctx.problems.append(Problem(checker, line, f"the checker asks for known error {name!r}, which exercise "
                                            f"{ex.id!r} does not declare in lesson.toml: add an "
                                            "[[exercises.known_errors]] entry with that id"))
        for known in (by_id[n] for n in ids if n in by_id) if ids else ex.known_errors:
            if known.catalogue is not None:
                continue     # a catalogue finding's evidence fills further fields ({shape}, ...)
            unfilled = sorted(set(PLACEHOLDER.findall(" ".join([known.message, *known.details]))) - TRANSLATED - filled)
            if unfilled:
                ctx.problems.append(Problem(checker, line, f"known error {known.id!r} has {{{unfilled[0]}}} in its words, "
                                            f"which this known(...) does not fill, so the learner would read it as it "
                                            f"is: pass known({known.id!r}, {unfilled[0]}=...)"))


def _files(ctx: _Ctx) -> None:
    for lesson in ctx.course.lessons:
        if not (lesson.dir / "lesson.md").is_file():
            ctx.problems.append(Problem(lesson.dir / "lesson.md", 1, "lesson.md is missing"))
        for i, ex in enumerate(lesson.exercises):
            for folder, path in exercise_files(lesson, ex).by_folder().items():
                if not path.is_file():
                    ctx.add(lesson, ("exercises", i, "id"),
                            f"exercise {ex.id!r} has no {folder[:-1]} file: expected {folder}/{path.name}")
                elif folder == "checkers":              # a checker that cannot load judges nothing
                    text = ctx.text(path)
                    try:
                        compile(text, str(path), "exec")
                    except SyntaxError as exc:
                        ctx.problems.append(Problem(path, exc.lineno or 1, f"the checker does not parse: {exc.msg}"))


def _concept_order(ctx: _Ctx) -> None:
    """A concept must be taught (at any depth) no later than the first lesson that
    develops it or uses it in an exercise or check."""
    first_taught: dict[str, int] = {}
    first_introduced: dict[str, int] = {}
    for idx, lesson in enumerate(ctx.course.lessons):
        for c in lesson.concepts:
            first_taught.setdefault(c.name, idx)
            if c.depth <= Depth.INTRODUCED:
                first_introduced.setdefault(c.name, idx)
    for idx, lesson in enumerate(ctx.course.lessons):
        for i, c in enumerate(lesson.concepts):
            intro = first_introduced.get(c.name)
            if c.depth >= Depth.DEVELOPED and intro is not None and intro > idx:
                later = ctx.course.lessons[intro].slug
                ctx.add(lesson, ("concepts", i, "depth"),
                        f"{c.name!r} is {c.depth.name} here but only introduced later, in {later!r}")
        for field, items in (("exercises", lesson.exercises), ("checks", lesson.checks)):
            for i, item in enumerate(items):
                for name in item.concepts:
                    taught = first_taught.get(name)
                    if taught is not None and taught > idx:
                        ctx.add(lesson, (field, i, "concepts"),
                                f"{item.id!r} uses {name!r}, which no lesson teaches until {ctx.course.lessons[taught].slug!r}")


def _deferrals(ctx: _Ctx) -> None:
    course = ctx.course
    by_slug: dict[str, object] = {l.slug: l for l in course.lessons}
    by_slug.update({p.slug: p for p in course.planned()})
    for lesson in course.lessons:
        for i, d in enumerate(lesson.deferred):
            if d.lesson is None:
                continue
            target = by_slug.get(d.lesson)
            if target is None and d.lesson in course.broken:
                continue  # that lesson's own load error is already reported
            if target is None:
                ctx.add(lesson, ("deferred", i, "lesson"), f"deferral of {d.topic!r} points at unknown lesson {d.lesson!r}")
            elif d.lesson == lesson.slug:
                ctx.add(lesson, ("deferred", i, "lesson"), f"deferral of {d.topic!r} points at this same lesson")
            elif not target.takes_up_topic(d.topic):
                ctx.add(lesson, ("deferred", i, "topic"),
                        f"deferral of {d.topic!r} points at {d.lesson!r}, which does not take it up "
                        f"(add it to that lesson's concepts or `takes_up`)")


def _stretch_in_a_row(ctx: _Ctx) -> None:
    for module in ctx.course.modules:
        sequence = [(s, ctx.course.lesson(s)) for s in module.lessons]
        sequence += [(p.slug, p) for p in module.planned]
        sequence.sort(key=lambda pair: tuple(int(x) for x in pair[1].number.split(".")) if pair[1] else (999,))
        for (_, prev), (slug, cur) in zip(sequence, sequence[1:]):
            if prev and cur and prev.type == LessonType.STRETCH and cur.type == LessonType.STRETCH:
                path = module.dir / "module.toml"
                ctx.problems.append(Problem(path, 1, f"two STRETCH lessons in a row: {prev.slug!r} then {slug!r}; put a BUILD or CONSOLIDATE lesson between them"))


def _developed_is_exercised(ctx: _Ctx) -> None:
    for lesson in ctx.course.lessons:
        used = {name for item in [*lesson.exercises, *lesson.checks] for name in item.concepts}
        for i, c in enumerate(lesson.concepts):
            if c.depth >= Depth.DEVELOPED and c.name not in used:
                ctx.add(lesson, ("concepts", i, "name"),
                        f"{c.name!r} is {c.depth.name} but no exercise or check of this lesson exercises it")


def _lesson_markdown(ctx: _Ctx) -> None:
    for lesson in ctx.course.lessons:
        path = lesson.dir / "lesson.md"
        if not path.is_file():
            continue
        for block in code_blocks(ctx.text(path)):
            if block.lang != "python":
                continue
            try:
                compile(block.code, f"{path}:{block.line}", "exec")
            except SyntaxError as exc:
                ctx.problems.append(Problem(path, block.line + (exc.lineno or 1), f"code sample does not parse: {exc.msg}"))


def _checks_inline(ctx: _Ctx) -> None:
    """Every check of a lesson stands inline in lesson.md exactly once (a ```check block)."""
    for lesson in ctx.course.lessons:
        path = lesson.dir / "lesson.md"
        if not path.is_file():
            continue
        known = {c.id for c in lesson.checks}
        placed: Counter[str] = Counter()
        for check_id, line in inline_checks(ctx.text(path)):
            placed[check_id] += 1
            if check_id not in known:
                ctx.problems.append(Problem(path, line, f"inline check {check_id!r} is not a check of this lesson; "
                                                        f"use one of the [[checks]] ids in lesson.toml"))
            elif placed[check_id] == 2:
                ctx.problems.append(Problem(path, line, f"check {check_id!r} stands inline twice; keep it where its idea is taught"))
        for i, c in enumerate(lesson.checks):
            if c.id not in placed:
                ctx.add(lesson, ("checks", i, "id"),
                        f"check {c.id!r} does not stand inline in lesson.md; put a ```check block with its id "
                        f"where its idea is taught")


def _slip_tables(ctx: _Ctx) -> None:
    from .slips import load_slips

    for lesson in ctx.course.lessons:
        ctx.problems.extend(load_slips(lesson)[1])


def _course_order(course) -> list[str]:
    """Every lesson slug of the course, built or planned, in lesson-number order."""
    rows = [(l.number, l.slug) for l in course.lessons] + [(p.number, p.slug) for p in course.planned()]
    return [slug for _, slug in sorted(rows, key=lambda r: tuple(int(x) for x in r[0].split(".")))]


def _record_data(ctx: _Ctx) -> None:
    """What the module record is generated from: how the lesson teaches, where each mental
    model is used again, and which model each analogy illustrates."""
    order = _course_order(ctx.course)
    for lesson in ctx.course.lessons:
        if lesson.teaching is None:
            ctx.add(lesson, ("slug",), "the lesson has no [teaching] table (concepts_taught, hook, sequence, "
                                       "negative_examples); the module record's 'How concepts were taught' is made from it")
        later = order[order.index(lesson.slug) + 1:] if lesson.slug in order else []
        for i, m in enumerate(lesson.mental_models):
            for slug in m.available_for:
                if slug not in later:
                    why = "is not a lesson of this course" if slug not in order else "does not come after this lesson"
                    ctx.add(lesson, ("mental_models", i, "available_for"),
                            f"mental model {m.text!r}: available_for names {slug!r}, which {why}")
        texts = {m.text for m in lesson.mental_models}
        for i, a in enumerate(lesson.analogies):
            if a.illustrates is not None and a.illustrates not in texts:
                ctx.add(lesson, ("analogies", i, "illustrates"),
                        f"analogy {a.text!r} illustrates {a.illustrates!r}, which is not a mental model of this lesson")


def _plan_data(ctx: _Ctx) -> None:
    """The module plan's tables name only the module's lessons, and give each one a core concept
    and a cognitive-load description."""
    for module in ctx.course.modules:
        path = module.dir / "module.toml"
        slugs = list(module.lessons) + [p.slug for p in module.planned]
        text = ctx.text(path)
        for table in ("core_concept", "load", "topics", "topic_notes", "rationale"):
            for slug in getattr(module, table):
                if slug not in slugs:
                    ctx.problems.append(Problem(path, locate(text, (table,)),
                                                f"[{table}] names {slug!r}, which is not a lesson of this module"))
        for table in ("core_concept", "load"):
            for slug in slugs:
                if slug not in getattr(module, table):
                    ctx.problems.append(Problem(path, locate(text, (table,)),
                                                f"[{table}] has no entry for lesson {slug!r}; the module plan shows one per lesson"))
def _hint_tags(ctx: _Ctx) -> None:
    """Hints and checkers agree on failure tags: a hint's ``when`` names a tag some checker
    can produce (error), and a specific tag the exercise's checker declares (itself, or in a
    lesson helper function it calls: ``tags.helpers_used``) has a hint that answers it, by the
    tag or by a misconception declared with it (warning)."""
    from .slips import load_slips
    from .tags import (Declared, checker_declares, engine_tags, helpers_used, is_exception_name, known_errors_declared,
                       lesson_helpers, structural_tags)

    generic = engine_tags()
    structural = structural_tags()
    for lesson in ctx.course.lessons:
        helpers = lesson_helpers(lesson)
        table, _ = load_slips(lesson)
        slips = table.slip if table else []
        for i, ex in enumerate(lesson.exercises):
            own = checker_declares(lesson, ex)
            own.update(known_errors_declared(lesson, i, ctx.text(lesson.dir / "lesson.toml")))
            shown = {t for s in slips if s.exercise == ex.id for t in [s.failure, *s.misconceptions]}
            producible = (set(own.failures) | own.misconceptions | set(helpers.failures) | helpers.misconceptions
                          | generic | shown)
            answered: set[str] = set()
            for hint in ex.hints:
                answered.update(hint.when)
                for tag in hint.when:
                    if tag not in producible and not is_exception_name(tag):
                        ctx.add(lesson, ("exercises", i, "hints"),
                                f"a hint of exercise {ex.id!r} waits for failure {tag!r}, which its checker never "
                                f"produces (no `failure=` or misconception with that tag in "
                                f"checkers/{ex.stem}.py, its helpers or the checks API); fix the tag or the checker",
                                needle=f'"{tag}"')
            specific = Declared()
            specific.update(own)
            specific.update(helpers_used(lesson, ex))
            for tag, (path, line) in sorted(specific.failures.items()):
                if tag in generic or tag in structural or is_exception_name(tag) or tag in answered:
                    continue
                if specific.companions.get(tag, set()) & answered:
                    continue
                ctx.problems.append(Problem(path, line, f"failure {tag!r} has no hint in exercise {ex.id!r} that "
                                            f"answers it: add one to lesson.toml with when = [\"{tag}\"]",
                                            warning=True))

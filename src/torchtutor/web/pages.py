"""HTML for the web reader: the course index, lesson pages and the progress page.

Lesson text is Markdown (``lesson.md``, see docs/course-format.md). It is rendered with
markdown-it; code is highlighted on the server with Pygments (no JavaScript needed);
```` ```output ```` blocks get an ``output`` label, ```` ```python raises=X ```` blocks
are marked as raising X, and ```` ```mermaid ```` blocks become the SVG drawn at build
time (:mod:`.diagrams`). A widget appears after the first block that mentions
``torchtutor widget NAME``, so lesson authors add widgets by writing about them.

Pages carry no inline script: behaviour lives in ``static/app.js`` and the widget
modules, which read the ``data-*`` attributes written here.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from ..curriculum import Course, Lesson
from ..curriculum.markdown import widget_mentions
from ..widgets import WIDGETS
from .diagrams import diagram_svg

_FORMATTER = HtmlFormatter(nowrap=True)
_SLUG = re.compile(r"[^a-z0-9]+")
esc = html.escape


def pygments_css() -> str:
    return HtmlFormatter(style="friendly").get_style_defs(".hl")


def _lexer(lang: str):
    if lang in ("python", "py", ""):
        return PythonLexer() if lang else TextLexer()
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return TextLexer()


_PROSE = MarkdownIt("commonmark", {"breaks": True, "html": False})


def inline_markdown(text: str, block: bool = True) -> str:
    """A check's prompt or option: Markdown (code spans, line breaks kept), no raw HTML."""
    return _PROSE.render(text) if block else _PROSE.renderInline(text)


def highlight_code(code: str, lang: str = "python") -> str:
    return highlight(code, _lexer(lang), _FORMATTER)


# --------------------------------------------------------------------------- lesson body
@dataclass
class RenderedLesson:
    body: str
    toc: list[tuple[int, str, str]] = field(default_factory=list)  # (level, anchor, text)
    widgets: list[str] = field(default_factory=list)
    diagrams: int = 0
    missing_diagrams: int = 0
    inline_checks: list[str] = field(default_factory=list)


def _anchor(text: str, used: set[str]) -> str:
    base = _SLUG.sub("-", text.lower()).strip("-") or "section"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


def _fence(token: Token, state: dict) -> str:
    info = token.info.strip().split()
    lang = info[0].lower() if info else ""
    opts = dict(part.partition("=")[::2] for part in info[1:])
    code = token.content
    if lang == "check":
        lesson = state.get("lesson")
        check_id = code.strip()
        found = next((c for c in lesson.checks if c.id == check_id), None) if lesson is not None else None
        if found is None:
            return f"<p class='missing-check'>(check {esc(check_id)} is not in this lesson)</p>\n"
        state["checks"].append(check_id)
        return _check_form(lesson, found)
    if lang == "mermaid":
        state["diagrams"] += 1
        svg = diagram_svg(code)
        if svg is not None:
            return f'<figure class="diagram" role="img">{svg}</figure>\n'
        state["missing"] += 1
        return ('<figure class="diagram missing"><figcaption>diagram (not drawn yet: run '
                '<code>python frontend/build.py diagrams</code>)</figcaption>'
                f'<pre><code>{esc(code)}</code></pre></figure>\n')
    if lang == "output":
        return (f'<figure class="code output"><figcaption>output</figcaption>'
                f'<pre class="hl"><code>{esc(code)}</code></pre></figure>\n')
    if lang == "python" and "raises" in opts:
        error = esc(opts["raises"] or "an error")
        return (f'<figure class="code raises"><figcaption>raises {error}</figcaption>'
                f'<pre class="hl"><code>{highlight_code(code, "python")}</code></pre></figure>\n')
    label = {"python": "python", "text": "", "bash": "shell", "sh": "shell"}.get(lang, lang)
    caption = f"<figcaption>{esc(label)}</figcaption>" if label else ""
    return (f'<figure class="code {esc(lang or "plain")}">{caption}'
            f'<pre class="hl"><code>{highlight_code(code, lang or "")}</code></pre></figure>\n')


def widget_host(name: str, args: list[str] | tuple[str, ...] = ()) -> str:
    """The placeholder app.js mounts widget ``name`` in, starting from the settings the lesson's
    mention gives (``--flag value`` after the name); ``args`` must parse (tests/web/test_pages.py)."""
    from ..widgets import WidgetError

    widget = WIDGETS[name]
    try:
        settings = widget.settings(args)
    except WidgetError:
        settings = widget.settings()
    return (f'<div class="tt-widget" data-widget="{esc(name)}" '
            f'data-defaults="{esc(json.dumps(settings))}"'
            + (' data-stream="1"' if widget.stream is not None else '') + '>'
            f'<div class="tt-widget-title">{esc(name)}</div>'
            f'<p class="tt-widget-desc">{esc(widget.description)}</p>'
            f'<div class="tt-widget-body">loading…</div></div>\n')


def render_markdown(text: str, lesson: Lesson | None = None) -> RenderedLesson:
    """Lesson Markdown to HTML, with a table of contents and widget hosts."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    used: set[str] = set()
    toc: list[tuple[int, str, str]] = []
    out: list[Token] = []
    seen_widgets: list[str] = []
    pending: list[tuple[str, list[str]]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            anchor = _anchor(inline.content, used)
            token.attrSet("id", anchor)
            level = int(token.tag[1])
            if level in (2, 3):
                toc.append((level, anchor, inline.content.replace("`", "")))
        if token.type == "inline" and lesson is not None:
            for child in token.children or []:
                src = child.attrGet("src") if child.type == "image" else None
                if src and not re.match(r"^([a-z]+:|/|#)", str(src)):
                    if (lesson.dir / str(src)).is_file():
                        child.attrSet("src", f"/lesson/{lesson.slug}/{src}")   # the lesson's own figures/
                    else:  # a figure the lesson names but does not ship: say so instead of a broken image
                        child.type, child.tag = "text", ""
                        child.content = f"[figure {src} is missing from the lesson: {child.content}]"
                        child.children = None
        if token.type in ("inline", "fence", "code_block"):
            for name, args in widget_mentions(token.content):
                if name in WIDGETS and name not in seen_widgets and name not in [p[0] for p in pending]:
                    pending.append((name, args))
        out.append(token)
        if token.level == 0 and token.nesting <= 0 and pending:
            for name, args in pending:
                block = Token("html_block", "", 0)
                block.content = widget_host(name, args)
                out.append(block)
            seen_widgets.extend(name for name, _ in pending)
            pending = []
    state = {"diagrams": 0, "missing": 0, "lesson": lesson, "checks": []}
    md.add_render_rule("fence", lambda self, toks, idx, options, env: _fence(toks[idx], state))
    body = md.renderer.render(out, md.options, {})
    return RenderedLesson(body=body, toc=toc, widgets=seen_widgets, diagrams=state["diagrams"],
                          missing_diagrams=state["missing"], inline_checks=state["checks"])


_CACHE: dict[tuple[str, int], RenderedLesson] = {}


def rendered_lesson(lesson: Lesson) -> RenderedLesson:
    """The lesson's rendered Markdown, cached until ``lesson.md`` changes."""
    path = lesson.dir / "lesson.md"
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _CACHE:
        if len(_CACHE) > 128:
            _CACHE.clear()
        _CACHE[key] = render_markdown(path.read_text(encoding="utf-8"), lesson)
    return _CACHE[key]


# --------------------------------------------------------------------------- layout
def layout(title: str, main: str, *, side: str = "", crumbs: str = "", page: str = "") -> str:
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{esc(title)} · torchtutor</title>"
            "<link rel='icon' href='/static/favicon.svg' type='image/svg+xml'>"
            "<link rel='stylesheet' href='/static/pygments.css'><link rel='stylesheet' href='/static/app.css'>"
            "<script type='module' src='/static/app.js'></script></head>"
            f"<body data-page='{esc(page)}'><header class='top'><a class='brand' href='/'>torchtutor</a>"
            f"<nav class='crumbs'>{crumbs}</nav><a class='top-link' href='/progress'>progress &amp; concept map</a>"
            "<span id='live' class='live' title='live verdicts from the server'>●</span></header>"
            f"<div class='frame'>{f'<aside class=side>{side}</aside>' if side else ''}"
            f"<main>{main}</main></div></body></html>")


def _status_badge(status: str) -> str:
    label = {"done": "passed", "failing": "failing", "pending": "not started"}.get(status, status)
    return f"<span class='badge {esc(status)}'>{esc(label)}</span>"


def index_page(ws) -> str:
    course: Course = ws.course
    progress = ws.progress()
    by_slug = {l["slug"]: l for l in progress["lessons"]}
    parts = [f"<h1>{esc(course.series.title)}: the course</h1><p class='lead'>{esc(course.series.goal)}</p>"]
    done = sum(l["done"] for l in progress["lessons"])
    total = sum(l["total"] for l in progress["lessons"])
    parts.append(f"<p class='meta'>{done} of {total} exercises passed · workspace <code>{esc(str(ws.root))}</code></p>")
    if course.lessons:
        upnext = ws.next_lesson()
        verb = "Start with" if done == 0 else "Continue with"
        parts.append(f"<p><a class='continue' href='/lesson/{esc(upnext.slug)}'>{verb} {esc(upnext.number)} "
                     f"{esc(upnext.title)} →</a></p>")
    for module in course.modules:
        lessons = [l for l in course.lessons if l.module == module.slug]
        parts.append(f"<section class='module'><h2>Module {esc(module.number)} · {esc(module.title)}</h2>"
                     f"<p>{esc(module.goal)}</p><ol class='lessons'>")
        for lesson in lessons:
            info = by_slug.get(lesson.slug, {"done": 0, "total": 0, "status": "pending"})
            parts.append(f"<li class='lesson-card {esc(info['status'])}'><a href='/lesson/{esc(lesson.slug)}'>"
                         f"<span class='num'>{esc(lesson.number)}</span> {esc(lesson.title)}</a>"
                         f"<span class='kind'>{esc(lesson.type.value)}</span>"
                         f"<span class='count'>{info['done']}/{info['total']} exercises</span>"
                         f"<p>{inline_markdown(lesson.summary, block=False)}</p></li>")
        for planned in module.planned:
            if course.lesson(planned.slug) is None:
                parts.append(f"<li class='lesson-card planned'><span class='num'>{esc(planned.number)}</span> "
                             f"{esc(planned.title)} <span class='kind'>coming</span></li>")
        parts.append("</ol></section>")
    return layout(course.series.title, "".join(parts), page="index")


def _exercise_panel(ws, lesson: Lesson, ex, status: str, last) -> str:
    fid = ws.full_id(lesson, ex)
    path = ws.exercise_path(lesson, ex)
    try:
        shown = str(path.relative_to(ws.root))
    except ValueError:
        shown = str(path)
    verdict = json.dumps(last) if last else ""
    return (f"<section class='exercise' id='ex-{esc(ex.id)}' data-exercise='{esc(fid)}' data-status='{esc(status)}' "
            f"data-verdict='{esc(verdict)}'>"
            f"<header><h3>{esc(ex.title)}</h3><span class='level'>{esc(ex.level.value)}</span>{_status_badge(status)}</header>"
            f"<p class='file'>Your file: <code>{esc(shown)}</code> — edit it in any editor, or here. "
            "Every save is checked.</p>"
            "<div class='verdict' aria-live='polite'></div>"
            "<div class='actions'><button class='do-editor'>Edit here</button><button class='do-check'>Check now</button>"
            "<button class='do-hint'>Hint</button><button class='do-solution'>Show solution</button></div>"
            "<div class='hints'></div><div class='editor-pane' hidden></div><div class='solution' hidden></div></section>")


def _check_form(lesson: Lesson, check) -> str:
    from ..workspace.quiz import public_check

    public = public_check(check)
    kind_label = {"predict": "Predict, then run it", "transfer": "In your own words", "choice": "Choose one"}[check.kind]
    head = (f"<section class='check {esc(check.kind)}' data-lesson='{esc(lesson.slug)}' data-check='{esc(check.id)}'>"
            f"<div class='check-kind'>{esc(kind_label)}</div><div class='prompt'>{inline_markdown(check.prompt)}</div>")
    if check.kind == "predict":
        body = (f"<form class='answer'><input name='answer' autocomplete='off' placeholder='{esc(public['answer_hint'])}'>"
                "<button>Run the code</button></form>")
    elif check.kind == "choice":
        options = "".join(f"<label><input type='radio' name='answer' value='{i}'> <span>{inline_markdown(opt, block=False)}</span></label>"
                          for i, opt in enumerate(check.options, start=1))
        body = f"<form class='answer'><div class='options'>{options}</div><button>Answer</button></form>"
    else:
        body = ("<form class='answer'><textarea name='answer' rows='4' placeholder='A few sentences of your own'></textarea>"
                "<button>Compare with the model answer</button></form>")
    return head + body + "<div class='result' aria-live='polite'></div></section>"


def lesson_page(ws, lesson: Lesson) -> str:
    course: Course = ws.course
    rendered = rendered_lesson(lesson)
    index = course.lessons.index(lesson)
    prev_l = course.lessons[index - 1] if index > 0 else None
    next_l = course.lessons[index + 1] if index + 1 < len(course.lessons) else None
    statuses = ws.store.statuses()
    module = course.module_of(lesson)

    toc = ["<nav class='toc'><div class='toc-title'>On this page</div><ol>"]
    for level, anchor, text in rendered.toc:
        toc.append(f"<li class='l{level}'><a href='#{esc(anchor)}'>{esc(text)}</a></li>")
    if lesson.exercises:
        toc.append("<li class='l2'><a href='#exercises'>Exercises</a></li>")
    leftover = [c for c in lesson.checks if c.id not in rendered.inline_checks]
    if leftover:
        toc.append("<li class='l2'><a href='#checks'>Check your understanding</a></li>")
    toc.append("</ol></nav>")
    lessons_nav = ["<nav class='all-lessons'><div class='toc-title'>Lessons</div><ol>"]
    for other in course.lessons:
        current = " class='current'" if other.slug == lesson.slug else ""
        lessons_nav.append(f"<li{current}><a href='/lesson/{esc(other.slug)}'>{esc(other.number)} {esc(other.title)}</a></li>")
    lessons_nav.append("</ol></nav>")

    def pager() -> str:
        left = (f"<a class='prev' rel='prev' href='/lesson/{esc(prev_l.slug)}'>← {esc(prev_l.number)} {esc(prev_l.title)}</a>"
                if prev_l else "<a class='prev' href='/'>← Course index</a>")
        right = (f"<a class='next' rel='next' href='/lesson/{esc(next_l.slug)}'>{esc(next_l.number)} {esc(next_l.title)} →</a>"
                 if next_l else "<a class='next' href='/progress'>Your progress →</a>")
        return f"<nav class='pager'>{left}{right}</nav>"

    main = [pager(), f"<p class='meta'>Lesson {esc(lesson.number)} · {esc(lesson.type.value)} · "
            f"Module {esc(module.number)} {esc(module.title)}</p>", f"<article class='lesson'>{rendered.body}</article>"]
    if lesson.exercises:
        main.append("<h2 id='exercises'>Exercises</h2><p>Each exercise is a file in your workspace. Save it from any "
                    "editor, or edit it here: the verdict appears below within a moment.</p>")
        for ex in lesson.exercises:
            fid = ws.full_id(lesson, ex)
            last = ws.store.last_attempt(fid)
            main.append(_exercise_panel(ws, lesson, ex, statuses.get(fid, "pending"), verdict_payload(ws, lesson, last.verdict) if last else None))
    if leftover:
        main.append(f"<h2 id='checks'>Check your understanding</h2><p>The same checks as "
                    f"<code>torchtutor quiz {esc(lesson.slug)}</code>; your answers are recorded the same way.</p>")
        for check in leftover:
            main.append(_check_form(lesson, check))
    main.append(pager())
    crumbs = (f"<a href='/'>Module {esc(module.number)}</a> › <span>{esc(lesson.number)} {esc(lesson.title)}</span>")
    return layout(lesson.title, "".join(main), side="".join(toc) + "".join(lessons_nav), crumbs=crumbs, page="lesson")


def verdict_payload(ws, lesson: Lesson | None, verdict: dict) -> dict:
    """A verdict as the page shows it: its fields plus ``why``, the misconception texts
    (those the workspace attached, or explained now for a verdict recorded before it did)."""
    from ..workspace.core import explain

    data = dict(verdict)
    items = verdict.get("explanations") or explain(ws.course, lesson, verdict.get("misconceptions", []))
    data["why"] = [item["text"] for item in items]
    return data


def progress_page(ws) -> str:
    from .conceptmap import concept_map_svg

    data = ws.progress()
    shown = sum(1 for c in data["concepts"] if c["status"] == "shown")
    tried = sum(1 for c in data["concepts"] if c["status"] == "tried")
    rows = []
    for l in data["lessons"]:
        pct = int(100 * l["done"] / l["total"]) if l["total"] else 0
        rows.append(f"<li><a href='/lesson/{esc(l['slug'])}'>{esc(l['number'])} {esc(l['title'])}</a>"
                    f"<span class='bar'><span style='width:{pct}%'></span></span>{l['done']}/{l['total']}</li>")
    main = (f"<h1>Your progress</h1><p class='lead'>{shown} of {len(data['concepts'])} concepts shown in an exercise or "
            f"check, {tried} tried but not yet shown.</p>"
            f"<figure class='concept-map'>{concept_map_svg(ws.course, data)}</figure>"
            "<h2>Exercises by lesson</h2><ol class='progress-bars'>" + "".join(rows) + "</ol>")
    return layout("Progress", main, crumbs="<span>Progress</span>", page="progress")


def message_page(title: str, text: str) -> str:
    return layout(title, f"<h1>{esc(title)}</h1><p>{esc(text)}</p>", page="message")

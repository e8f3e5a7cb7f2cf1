"""Lesson Markdown to HTML: labels, raising blocks, diagrams, widgets, inline checks, table of contents."""

from __future__ import annotations

from torchtutor.curriculum import load_or_raise
from torchtutor.web.diagrams import course_diagrams, diagram_file
from torchtutor.web.pages import render_markdown

COURSE = load_or_raise()

SAMPLE = """# Title

## First `part`

```python
print(1)
```

```output
1
```

```python raises=RuntimeError
x.backward()
```

Try `torchtutor widget autograd-explorer` now, or `torchtutor widget no-such-thing`.

## First part

```mermaid
graph LR
    never --> drawn
```
"""


def test_outputs_are_labelled_and_raising_blocks_marked() -> None:
    page = render_markdown(SAMPLE)
    assert "<figure class=\"code output\"><figcaption>output</figcaption>" in page.body
    assert "<figcaption>raises RuntimeError</figcaption>" in page.body
    assert 'class="hl"' in page.body and "<span" in page.body          # highlighted on the server


def test_table_of_contents_has_unique_anchors() -> None:
    page = render_markdown(SAMPLE)
    assert [(level, anchor) for level, anchor, _ in page.toc] == [(2, "first-part"), (2, "first-part-2")]
    assert 'id="first-part-2"' in page.body
    assert page.toc[0][2] == "First part"


def test_a_widget_follows_the_paragraph_that_mentions_it() -> None:
    page = render_markdown(SAMPLE)
    assert page.widgets == ["autograd-explorer"]
    mention = page.body.index("torchtutor widget autograd-explorer")
    host = page.body.index('data-widget="autograd-explorer"')
    assert host > mention and page.body.index("</p>", mention) < host


def test_an_undrawn_diagram_says_how_to_draw_it() -> None:
    page = render_markdown(SAMPLE)
    assert page.diagrams == 1 and page.missing_diagrams == 1
    assert "frontend/build.py diagrams" in page.body and "never --&gt; drawn" in page.body


def test_every_mermaid_block_of_the_course_is_drawn() -> None:
    missing = [f"{slug}/lesson.md line {line}" for slug, line, source in course_diagrams(COURSE)
               if not diagram_file(source).is_file()]
    assert not missing, ("These Mermaid blocks have no pre-rendered SVG; run `cd frontend && npm ci && cd .. && "
                         f"python frontend/build.py diagrams` and commit static/diagrams/: {missing}")


def test_every_inline_check_of_the_course_becomes_a_form() -> None:
    for lesson in COURSE.lessons:
        page = render_markdown((lesson.dir / "lesson.md").read_text(), lesson)
        for check in page.inline_checks:
            assert f"data-check='{check}'" in page.body


def test_every_registered_widget_has_a_self_contained_front_end() -> None:
    from torchtutor.web.widget_esm import widget_esm
    from torchtutor.widgets import WIDGETS

    for name in WIDGETS:
        module = widget_esm(name)
        assert "export default" in module and "_kit.js" not in module, name
        assert "function h(" in module


def test_the_cli_has_the_serve_command_and_start_serves() -> None:
    from typer.main import get_command

    from torchtutor.cli import app

    commands = get_command(app).commands
    assert "serve" in commands, "cli.py must register the serve command (cli_serve.register)"
    assert "--no-serve" in {opt for p in commands["start"].params for opt in p.opts}


def test_every_widget_mention_parses_and_the_page_starts_the_widget_there() -> None:
    """`torchtutor widget NAME --flag value` in a lesson opens NAME's widget with those settings."""
    import html
    import json
    import re

    from torchtutor.curriculum.markdown import widget_mentions
    from torchtutor.widgets import WIDGETS

    assert widget_mentions("run `torchtutor widget training-curves --dataset fashion-mnist --lr=0.01` now") == \
        [("training-curves", ["--dataset", "fashion-mnist", "--lr=0.01"])]
    assert widget_mentions("torchtutor widget softmax-explorer shows it") == [("softmax-explorer", [])]
    for lesson in COURSE.lessons:
        text = (lesson.dir / "lesson.md").read_text()
        first: dict[str, list[str]] = {}
        for name, args in widget_mentions(text):
            assert name in WIDGETS, f"{lesson.slug} mentions a widget that does not exist: {name}"
            WIDGETS[name].parse_args(args)                 # a bad flag in the lesson text fails here
            first.setdefault(name, args)
        page = render_markdown(text, lesson)
        for name, args in first.items():
            host = re.search(rf'data-widget="{name}" data-defaults="([^"]*)"', page.body)
            assert host, (lesson.slug, name)
            assert json.loads(html.unescape(host.group(1))) == WIDGETS[name].settings(args)
    fashion = render_markdown((COURSE.lesson("fashion-mnist-project").dir / "lesson.md").read_text(),
                              COURSE.lesson("fashion-mnist-project"))
    assert "&quot;dataset&quot;: &quot;fashion-mnist&quot;" in fashion.body

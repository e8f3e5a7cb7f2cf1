"""The web reader in a real browser: Debian's Chromium driven by Playwright.

Never lets Playwright download a browser: it uses /usr/bin/chromium (``.ci/run`` installs
it with apt) and skips, saying why, when that is absent. A screenshot of every lesson
page is kept in tests/web/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest

from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.markdown import code_blocks

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
COURSE = load_or_raise()

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                "(apt-get install -y chromium); the browser tests never download a browser")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    tab.goto(served.url)                     # the token is exchanged for the cookie, then redirected
    tab.problems = problems
    yield tab
    context.close()


def wait_for(page, expression: str, arg=None, timeout: float = 10.0) -> None:
    """Poll ``expression`` in the page until it is truthy. (Playwright's wait_for_function
    evaluates its predicate with eval, which the page's CSP rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {expression}")
        time.sleep(0.01)


def _open(page, served, path: str) -> None:
    page.goto(served.base + path)
    wait_for(page, "() => document.body.dataset.live === '1'")


def test_index_and_every_lesson_open_with_diagrams_drawn(page, served) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.url == served.base + "/"                         # the token left the address bar
    assert page.locator(".lesson-card a").count() == len(COURSE.lessons)
    page.screenshot(path=str(ARTIFACTS / "index.jpg"), full_page=True, quality=70)
    for lesson in COURSE.lessons:
        _open(page, served, f"/lesson/{lesson.slug}")
        assert page.locator("h1").first.inner_text() == lesson.title
        mermaid = [b for b in code_blocks((lesson.dir / "lesson.md").read_text()) if b.lang == "mermaid"]
        assert page.locator("figure.diagram > svg").count() == len(mermaid), lesson.slug
        assert page.locator("figure.diagram.missing").count() == 0
        assert page.locator(".exercise").count() == len(lesson.exercises)
        assert page.locator(".check").count() == len(lesson.checks)
        wait_for(page, "() => [...document.querySelectorAll('.tt-widget')].every(w => w.dataset.ready === '1')",
                 timeout=20)
        broken = page.evaluate("() => [...document.querySelectorAll('article img')].filter(i => !i.complete || "
                               "!i.naturalWidth).map(i => i.getAttribute('src'))")
        assert not broken, (lesson.slug, broken)                  # the lesson's figures/ are served
        nav = page.locator("nav.pager").first
        assert nav.locator("a.prev").count() == 1 and nav.locator("a.next").count() == 1
        page.screenshot(path=str(ARTIFACTS / f"lesson-{lesson.number}-{lesson.slug}.jpg"), full_page=True, quality=70)
    _open(page, served, "/progress")
    assert page.locator(".concept-map svg .cm-card").count() == sum(len(l.concepts) for l in COURSE.lessons)
    page.screenshot(path=str(ARTIFACTS / "progress.jpg"), full_page=True, quality=70)
    assert not page.problems, page.problems


def _grads(widget) -> tuple[dict, dict]:
    manual = {p: float(widget.locator(f"[data-grad-manual={p}]").text_content()) for p in ("w1", "b1", "w2", "b2")}
    torch = {p: float(widget.locator(f"[data-grad-torch={p}]").text_content()) for p in ("w1", "b1", "w2", "b2")}
    return manual, torch


def test_autograd_explorer_slider_step_through_and_backward(page, served) -> None:
    _open(page, served, "/lesson/autograd")
    widget = page.locator(".tt-widget[data-widget=autograd-explorer]")
    wait_for(page, "() => document.querySelector('.tt-widget[data-widget=autograd-explorer]').dataset.ready === '1'")
    widget.scroll_into_view_if_needed()
    before, torch_before = _grads(widget)
    assert before == pytest.approx(torch_before, abs=1e-9)
    slider = widget.locator("input[data-param=w1]")
    old_w2 = widget.locator("[data-grad-manual=w2]").text_content()      # read before the slider moves
    slider.evaluate("(el) => { el.value = '1.5'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    try:
        wait_for(page, "(old) => document.querySelector('[data-grad-manual=w2]').textContent !== old", old_w2,
                 timeout=15)
    except AssertionError:
        raise AssertionError(f"no new gradients; widget says {widget.locator('p.error').inner_text()!r}, "
                             f"slider at {slider.input_value()}, problems {page.problems}, "
                             f"server log: {served.log.read_text()[-2000:]}") from None
    after, torch_after = _grads(widget)
    assert after != before
    assert after == pytest.approx(torch_after, abs=1e-9)        # manual chain rule == backward()
    # manual mode: step through the backward pass; each step reads incoming × local = outgoing
    for _ in range(3):
        widget.locator("button[data-action=next]").click()
    rows = widget.locator("table.ae-steps tbody tr")
    assert rows.count() == 3
    assert "×" in rows.nth(1).locator("td.maths").inner_text()
    widget.locator("button[data-action=all]").click()
    assert widget.locator("table.ae-steps [data-torch=w1]").inner_text().startswith("✓")
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "autograd-explorer.png"))
    widget.evaluate("(el) => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -64); }")
    page.screenshot(path=str(ARTIFACTS / "lesson-with-autograd-explorer.png"))   # the README's picture
    # autograd mode: one backward() call fills every .grad, next to the hand-computed numbers
    widget.locator("button[data-mode=autograd]").click()
    widget.locator("button[data-action=backward]").click()
    cells = widget.locator("table.ae-grads td[data-torch]")
    assert cells.count() == 4
    assert float(widget.locator("table.ae-grads td[data-torch=w2]").inner_text()) == pytest.approx(torch_after["w2"], rel=1e-3)
    assert not page.problems, page.problems


def _wrong_and_right(lesson, ex) -> tuple[str, str]:
    """A realistic wrong answer (the lesson's first slip for this exercise, else the starter) and the solution."""
    solution = (lesson.dir / "solutions" / f"{ex.stem}.py").read_text()
    slips = lesson.dir / "slips.toml"
    if slips.is_file():
        for slip in tomllib.loads(slips.read_text()).get("slip", []):
            if slip.get("exercise") == ex.id and slip.get("replace"):
                wrong = solution
                for old, new in slip["replace"]:
                    wrong = wrong.replace(old, new, 1)
                return wrong, solution
    return (lesson.dir / "exercises" / f"{ex.stem}.py").read_text(), solution


UPDATED = "([id, n]) => Number(document.querySelector(`.exercise[data-exercise='${id}']`).dataset.updates || 0) > n"


def _save_and_wait(page, panel, path: Path, text: str) -> float:
    updates = int(panel.get_attribute("data-updates") or 0)
    started = time.perf_counter()
    path.write_text(text)
    wait_for(page, UPDATED, [panel.get_attribute("data-exercise"), updates], timeout=5)
    return time.perf_counter() - started


def test_a_save_on_disk_shows_its_verdict_within_a_second(page, served) -> None:
    lesson = COURSE.lesson("tensors")
    ex = lesson.exercises[2]
    wrong, right = _wrong_and_right(lesson, ex)
    path = next(served.root.glob(f"*/03_{ex.stem}.py"))
    _open(page, served, "/lesson/tensors")
    panel = page.locator(f".exercise[data-exercise='tensors/{ex.id}']")
    panel.scroll_into_view_if_needed()
    took_wrong = _save_and_wait(page, panel, path, wrong)
    assert panel.locator(".verdict").get_attribute("data-passed") == "false"
    assert panel.locator(".verdict .summary").inner_text().strip()
    took_right = _save_and_wait(page, panel, path, right)
    assert panel.locator(".verdict").get_attribute("data-passed") == "true"
    assert panel.get_attribute("data-status") == "done"
    assert took_wrong < 1.0 and took_right < 1.0, (took_wrong, took_right)


def test_the_editor_saves_the_file_on_disk(page, served) -> None:
    lesson = COURSE.lesson("nn-module")
    ex = lesson.exercises[0]
    path = next(served.root.glob(f"*/01_{ex.stem}.py"))
    _open(page, served, "/lesson/nn-module")
    panel = page.locator(f".exercise[data-exercise='nn-module/{ex.id}']")
    panel.locator("button.do-editor").click()
    editor = panel.locator(".cm-content")
    editor.wait_for()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# edited in the browser\n")
    updates = int(panel.get_attribute("data-updates") or 0)
    page.keyboard.press("Control+s")
    wait_for(page, UPDATED, [f"nn-module/{ex.id}", updates])
    assert path.read_text().endswith("# edited in the browser\n")
    # and a save from another editor reaches the page's editor
    _save_and_wait(page, panel, path, path.read_text() + "# from another editor\n")
    wait_for(page, "() => document.querySelector('.cm-content').innerText.includes('from another editor')", timeout=5)
    assert not page.problems, page.problems


def test_predict_check_runs_the_code_and_records(page, served) -> None:
    from torchtutor.progress import ProgressStore

    lesson = COURSE.lesson("autograd")
    check = next(c for c in lesson.checks if c.kind == "predict")
    _open(page, served, "/lesson/autograd")
    box = page.locator(f".check[data-check='{check.id}']")
    box.scroll_into_view_if_needed()
    box.locator("input[name=answer]").fill("12345")
    box.locator("button").click()
    box.locator(".result b").wait_for()
    assert "the code gives" in box.locator(".result").inner_text()
    wait_for(page, "(id) => document.querySelector(`.check[data-check='${id}']`).dataset.recorded === '1'", check.id)
    store = ProgressStore(served.root / ".torchtutor" / "progress.sqlite3")
    try:
        assert any(a.check_id == check.id and a.answer == "12345" for a in store.quiz_answers())
    finally:
        store.close()


def test_reveal_a_hint(page, served) -> None:
    lesson = COURSE.lesson("training-loop")
    ex = lesson.exercises[0]
    _open(page, served, "/lesson/training-loop")
    panel = page.locator(f".exercise[data-exercise='training-loop/{ex.id}']")
    panel.locator("button.do-hint").click()
    panel.locator(".hint").wait_for()
    assert panel.locator(".hint .rung").inner_text().startswith("Hint 1 of")
    assert panel.locator(".hint").inner_text().strip()


def test_a_page_without_the_cookie_is_refused(browser, served) -> None:
    context = browser.new_context()
    tab = context.new_page()
    reply = tab.goto(served.base + "/lesson/autograd")
    assert reply.status == 401 and "token" in tab.content()
    context.close()


def test_training_curves_grow_live_in_the_mnist_lesson(page, served) -> None:
    from torchtutor.widgets import training_curves

    ARTIFACTS.mkdir(exist_ok=True)
    _open(page, served, "/lesson/mnist-classifier")
    selector = ".tt-widget[data-widget=training-curves]"
    wait_for(page, f"() => document.querySelector('{selector}')?.dataset.ready === '1'")
    widget = page.locator(selector)
    widget.scroll_into_view_if_needed()
    assert widget.locator("svg.tc-chart").count() == 0                  # on demand: nothing trains until asked
    widget.locator("select[data-param=steps]").select_option("600")
    widget.locator("button[data-action=train]").click()
    status = f"{selector} .tc-status"
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while page.evaluate(f"() => document.querySelector('{status}').dataset.done") != "true":
        steps = page.evaluate(f"() => document.querySelector('{status}').dataset.stepsDone")
        if steps is not None and (not seen or int(steps) != seen[-1]):
            seen.append(int(steps))
        assert time.monotonic() < deadline, f"the run did not finish; saw {seen}, error: {widget.locator('p.error').inner_text()!r}"
        time.sleep(0.01)
    seen.append(int(page.evaluate(f"() => document.querySelector('{status}').dataset.stepsDone")))
    assert len(set(seen)) >= 3 and seen == sorted(seen) and seen[-1] == 600, seen    # it grew while training
    assert int(widget.locator(".tc-view").get_attribute("data-updates")) >= 2
    expected = training_curves(steps=600, eval_every=50)
    dots = widget.locator("circle[data-val-acc]")
    assert dots.count() == len(expected["evals"])
    assert [float(dots.nth(i).get_attribute("data-val-acc")) for i in range(dots.count())] == \
        [e["val_acc"] for e in expected["evals"]]
    rows = widget.locator(".tc-table tbody tr")
    last = expected["evals"][-1]
    assert rows.nth(rows.count() - 1).locator("td").all_text_contents() == [
        str(last["step"]), f"{last['epoch']:.1f}", f"{last['train_loss']:.4f}", f"{last['val_loss']:.4f}",
        f"{last['train_acc']:.1%}", f"{last['val_acc']:.1%}"]                 # as `torchtutor widget` prints it
    assert widget.locator(".tc-cli code").inner_text() == "torchtutor widget training-curves --steps 600 --eval-every 50"
    widget.screenshot(path=str(ARTIFACTS / "training-curves.png"))
    # one change, trained again: the previous run stays drawn in grey beside the new one
    widget.locator("button[data-preset=\"SGD at Adam's learning rate\"]").click()
    wait_for(page, f"() => document.querySelector('{status}').dataset.done === 'true' && "
             f"document.querySelector('{selector} [data-ghost=val-acc]') !== null", timeout=120)
    assert "previous run (adam" in widget.locator(".tc-legend").last.inner_text()
    widget.screenshot(path=str(ARTIFACTS / "training-curves-compare.png"))
    assert not page.problems, page.problems

"""Lint on broken fixture courses: each mutation of a valid course must produce the
right `file:line: problem` row, and the CLI must exit 1 with those rows."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from torchtutor.curriculum.lint import lint
from torchtutor.curriculum.loader import CourseError, load_or_raise

FIXTURE = Path(__file__).parent / "fixtures" / "mini_course"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def rows(root: Path) -> list[str]:
    return [f"{p.file.relative_to(root)}:{p.line}: {p.message}" for p in lint(root)]


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return n
    raise AssertionError(needle)


def test_fixture_course_is_valid(course: Path) -> None:
    assert rows(course) == []


def test_schema_error_names_file_and_line(course: Path) -> None:
    toml = course / "basics/one/lesson.toml"
    edit(toml, 'level = "guided"', 'level = "easy"')
    out = rows(course)
    assert len(out) == 1
    assert out[0].startswith(f"basics/one/lesson.toml:{line_of(toml, 'level = ')}: exercises.0.level")
    assert "guided" in out[0]  # the message says what is allowed


def test_unknown_key_is_an_error(course: Path) -> None:
    toml = course / "basics/two/lesson.toml"
    edit(toml, 'summary = "Multiplies numbers."', 'summary = "Multiplies numbers."\nsumary = "typo"')
    assert any("sumary" in r and "Extra inputs" in r for r in rows(course))


def test_toml_syntax_error_has_its_line(course: Path) -> None:
    toml = course / "basics/two/lesson.toml"
    edit(toml, 'title = "Lesson two"', 'title = "Lesson two')
    out = rows(course)
    assert out and out[0].startswith("basics/two/lesson.toml:3: not valid TOML")


def test_unknown_prerequisite(course: Path) -> None:
    toml = course / "basics/two/lesson.toml"
    edit(toml, 'prerequisites = ["one"]', 'prerequisites = ["zero"]')
    assert rows(course) == [f"basics/two/lesson.toml:{line_of(toml, 'prerequisites')}: prerequisite 'zero' is not a lesson of this course"]


def test_unknown_lesson_in_module(course: Path) -> None:
    edit(course / "basics/module.toml", 'lessons = ["one", "two"]', 'lessons = ["one", "two", "four"]')
    assert "basics/four/lesson.toml:1: file is missing" in rows(course)


def test_missing_checker_and_solution(course: Path) -> None:
    (course / "basics/one/checkers/add_two.py").unlink()
    (course / "basics/two/solutions/times.py").unlink()
    out = rows(course)
    assert any(r.startswith("basics/one/lesson.toml:") and "no checker file: expected checkers/add_two.py" in r for r in out)
    assert any(r.startswith("basics/two/lesson.toml:") and "no solution file: expected solutions/times.py" in r for r in out)


def test_duplicate_exercise_id(course: Path) -> None:
    toml = course / "basics/two/lesson.toml"
    text = toml.read_text()
    block = text[text.index("[[exercises]]"):text.index("[[checks]]")]
    toml.write_text(text.replace("[[checks]]", block + "[[checks]]", 1))
    out = rows(course)
    line = line_of(toml, 'id = "times"', 2)
    assert f"basics/two/lesson.toml:{line}: duplicate exercise id 'times'" in out


def test_developed_before_introduced(course: Path) -> None:
    # Lesson one develops Multiplication, which lesson two only introduces later.
    edit(course / "basics/one/lesson.toml", '[[misconceptions]]',
         '[[concepts]]\nname = "Multiplication"\ndepth = "DEVELOPED"\n\n[[misconceptions]]')
    edit(course / "basics/one/lesson.toml", 'concepts = ["Addition"]', 'concepts = ["Addition", "Multiplication"]')
    edit(course / "basics/two/lesson.toml", 'name = "Multiplication"\ndepth = "DEVELOPED"',
         'name = "Multiplication"\ndepth = "INTRODUCED"')
    out = rows(course)
    assert any("'Multiplication' is DEVELOPED here but only introduced later, in 'two'" in r
               and r.startswith("basics/one/lesson.toml:") for r in out)


def test_concept_used_before_taught(course: Path) -> None:
    edit(course / "basics/one/lesson.toml", 'concepts = ["Addition"]', 'concepts = ["Addition", "Multiplication"]')
    assert any("'add-two' uses 'Multiplication', which no lesson teaches until 'two'" in r for r in rows(course))


def test_deferral_to_lesson_that_does_not_take_it_up(course: Path) -> None:
    toml = course / "basics/one/lesson.toml"
    edit(toml, 'topic = "Multiplication"', 'topic = "Division"')
    line = line_of(toml, 'topic = "Division"')
    assert rows(course) == [f"basics/one/lesson.toml:{line}: deferral of 'Division' "
                            "points at 'two', which does not take it up (add it to that lesson's concepts or `takes_up`)"]


def test_deferral_to_planned_lesson_is_checked_too(course: Path) -> None:
    edit(course / "basics/one/lesson.toml", 'topic = "Saving"', 'topic = "Loading"')
    assert any("deferral of 'Loading' points at 'three', which does not take it up" in r for r in rows(course))


def test_two_stretch_lessons_in_a_row(course: Path) -> None:
    edit(course / "basics/module.toml", 'type = "BUILD"', 'type = "STRETCH"')
    assert "basics/module.toml:1: two STRETCH lessons in a row: 'two' then 'three'; put a BUILD or CONSOLIDATE lesson between them" in rows(course)


def test_developed_concept_without_exercise(course: Path) -> None:
    edit(course / "basics/two/lesson.toml", 'concepts = ["Multiplication", "Subtraction"]', 'concepts = ["Multiplication"]')
    assert any("'Subtraction' is DEVELOPED but no exercise or check of this lesson exercises it" in r for r in rows(course))


def test_lesson_sample_syntax_error(course: Path) -> None:
    (course / "basics/one/lesson.md").write_text("# One\n\n```python\nprint(1 +)\n```\n")
    assert any(r.startswith("basics/one/lesson.md:4: code sample does not parse") for r in rows(course))


def test_runtime_load_refuses_broken_course_with_one_paragraph(course: Path) -> None:
    edit(course / "basics/one/lesson.toml", 'level = "guided"', 'level = 3')
    with pytest.raises(CourseError) as info:
        load_or_raise(course)
    message = str(info.value)
    assert "lesson.toml" in message and "exercises.0.level" in message and "\n" not in message


def test_cli_lint_exit_status_and_rows(course: Path) -> None:
    edit(course / "basics/two/lesson.toml", 'prerequisites = ["one"]', 'prerequisites = ["zero"]')
    proc = subprocess.run([sys.executable, "-m", "torchtutor.cli", "curriculum", "lint", "--root", str(course)],
                          capture_output=True, text=True, cwd=course)
    assert proc.returncode == 1
    assert proc.stdout.strip() == "basics/two/lesson.toml:6: prerequisite 'zero' is not a lesson of this course"
    assert "Traceback" not in proc.stderr
    ok = subprocess.run([sys.executable, "-m", "torchtutor.cli", "curriculum", "lint", "--root", str(FIXTURE)],
                        capture_output=True, text=True)
    assert ok.returncode == 0


def test_lint_requires_every_check_inline_once_and_only_known_ids(tmp_path):
    import shutil

    from torchtutor.curriculum.lint import lint

    root = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "src" / "torchtutor" / "course", root)
    md = root / "pytorch-core" / "autograd" / "lesson.md"
    text = md.read_text(encoding="utf-8")
    text = text.replace("```check\npredict-chain-rule\n```\n", "```check\nno-such-check\n```\n")
    text = text.replace("```check\npredict-fan-out\n```\n", "```check\npredict-fan-out\n```\n\n```check\npredict-fan-out\n```\n")
    md.write_text(text, encoding="utf-8")
    messages = [p.message for p in lint(root)]
    assert any("inline check 'no-such-check' is not a check of this lesson" in m for m in messages)
    assert any("check 'predict-fan-out' stands inline twice" in m for m in messages)
    assert any("check 'predict-chain-rule' does not stand inline in lesson.md" in m for m in messages)


def test_slip_table_problems_are_reported_with_their_line(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course)
    (course / "basics/one/slips.toml").write_text(
        '[[slip]]\nexercise = "add-two"\nname = "joined text"\nreplace = [["2 + 3", "\\"2\\" + \\"3\\""]]\n'
        'failure = "plus-is-concat"\n\n'
        '[[slip]]\nexercise = "add-three"\nname = "no such exercise"\nreplace = [["a", "b"]]\nfailure = "x"\n\n'
        '[[alternative]]\nexercise = "add-two"\nname = "edit that no longer applies"\n'
        'replace = [["not in the solution", "x"]]\n', encoding="utf-8")
    rows = [str(p) for p in lint(course)]
    assert any("slips.toml:8:" in r and "'add-three'" in r for r in rows), rows
    assert any("slips.toml:16:" in r and "no longer contains 'not in the solution'" in r for r in rows), rows
    assert len(rows) == 2, rows


def test_hint_tags_and_checker_tags_agree(course: Path) -> None:
    toml = course / "basics/one/lesson.toml"
    edit(toml, 'when = ["string-result"]', 'when = ["string-reslt"]')
    found = [p for p in lint(course)]
    errors = [p for p in found if not p.warning]
    assert [(p.file.name, p.line) for p in errors] == [("lesson.toml", line_of(toml, "string-reslt"))]
    assert "waits for failure 'string-reslt'" in errors[0].message
    checker = course / "basics/one/checkers/add_two.py"
    warnings = [p for p in found if p.warning]
    assert [(p.file, p.line) for p in warnings] == [(checker, line_of(checker, 'failure="string-result"'))]
    assert "failure 'string-result' has no hint" in warnings[0].message
    assert "warning: " in str(warnings[0])


def test_a_hint_answers_a_failure_through_its_misconception(course: Path) -> None:
    edit(course / "basics/one/lesson.toml", 'when = ["string-result"]', 'when = ["plus-is-concat"]')
    assert rows(course) == []


def test_generic_and_exception_tags_need_no_declaration(course: Path) -> None:
    edit(course / "basics/one/lesson.toml", 'when = ["string-result"]',
         'when = ["string-result", "placeholder", "TypeError", "non-scalar-backward"]')
    assert rows(course) == []


def test_a_structural_tag_needs_no_hint_and_any_other_tag_does(course: Path) -> None:
    from torchtutor.checks.api import STRUCTURAL_FAILURES
    from torchtutor.curriculum.tags import structural_tags

    assert structural_tags() == STRUCTURAL_FAILURES          # lint reads the one declared set
    checker = course / "basics/one/checkers/add_two.py"
    edit(checker, "def check(ex):\n", "def check(ex):\n"
         "    if isinstance(ex.get(\"total\"), str) and False:\n"
         "        fail(\"`total` should be a number.\", failure=\"wrong-type\")\n"
         "    if ex.get(\"total\") == -5:\n"
         "        fail(\"`total` has the wrong sign.\", failure=\"wrong-sign\")\n")
    edit(checker, "from torchtutor.checks import Wrong, expect_close",
         "from torchtutor.checks import Wrong, expect_close, fail")
    warnings = [p for p in lint(course) if p.warning]
    assert [(p.file, p.line) for p in warnings] == [(checker, line_of(checker, 'failure="wrong-sign"'))]


def test_a_tag_from_a_helper_the_checker_calls_needs_a_hint_and_an_unused_one_does_not(course: Path) -> None:
    folder = course / "basics/one/checkers"
    helper = folder / "_shared.py"
    helper.write_text("from torchtutor.checks import fail\n\n\n"
                      "def negative(value):\n"
                      "    if value < 0:\n"
                      "        fail(\"`total` is negative.\", failure=\"negative-total\")\n\n\n"
                      "def unused(value):\n"
                      "    fail(\"never called by add_two\", failure=\"unused-tag\")\n", encoding="utf-8")
    checker = folder / "add_two.py"
    edit(checker, "def check(ex):\n", "import _shared\n\n\ndef check(ex):\n    _shared.negative(ex.get(\"total\"))\n")
    warnings = [p for p in lint(course) if p.warning]
    assert [(p.file, p.line) for p in warnings] == [(helper, line_of(helper, 'failure="negative-total"'))]
    assert "exercise 'add-two'" in warnings[0].message


KNOWN = '''
[[exercises.known_errors]]
id = "text-plus-number"
exception = "TypeError"
pattern = 'can only concatenate str'
message = "{doing} added text to a number: {error}."
details = ["Turn the text into a number first: int(a)."]
failure = "text-plus-number"
misconceptions = ["plus-is-concat"]
'''


def add_known(course: Path, entry: str = KNOWN) -> Path:
    toml = course / "basics/one/lesson.toml"
    edit(toml, "\n[teaching]", entry + "\n[teaching]")
    return toml


def test_a_malformed_known_error_is_one_row_naming_its_file_and_line(course: Path) -> None:
    toml = add_known(course, KNOWN.replace('"TypeError"', '"TypError"'))
    out = rows(course)
    assert out == [f"basics/one/lesson.toml:{line_of(toml, 'exception = ')}: exercises.0.known_errors.0.exception: "
                   "'TypError' is not a built-in exception name; write one such as \"RuntimeError\" or \"TypeError\" "
                   "(an exception the checker defines itself stays in Python)"]
    with pytest.raises(CourseError) as raised:             # a command that needs the course: one paragraph
        load_or_raise(course)
    assert f"lesson.toml:{line_of(toml, 'exception = ')}: exercises.0.known_errors.0.exception" in str(raised.value)
    assert "\n" not in str(raised.value)
    edit(toml, '"TypError"', '"TypeError"')
    edit(toml, "'can only concatenate str'", "'can only (concatenate'")
    out = rows(course)
    assert len(out) == 1 and out[0].startswith(f"basics/one/lesson.toml:{line_of(toml, 'pattern = ')}: "
                                               "exercises.0.known_errors.0.pattern: the pattern")
    assert "not a valid regular expression" in out[0]
    edit(toml, "pattern = 'can only (concatenate'\n", "catalogue = \"device-mismatch\"\n")
    out = rows(course)
    assert len(out) == 1 and "needs either `exception` (with `pattern`) or `catalogue`" in out[0]


def test_known_errors_name_real_misconceptions_catalogue_ids_and_the_ids_a_checker_asks_for(course: Path) -> None:
    toml = add_known(course, KNOWN.replace('["plus-is-concat"]', '["no-such-idea"]') + '''
[[exercises.known_errors]]
id = "odd-device"
catalogue = "no-such-finding"
''')
    checker = course / "basics/one/checkers/add_two.py"
    edit(checker, "def check(ex):\n", "def check(ex):\n    ex.call(len, [], errors=[known(\"text-plus-number\", \"missing-one\")])\n")
    edit(checker, "from torchtutor.checks import Wrong, expect_close", "from torchtutor.checks import Wrong, expect_close, known")
    out = [r for r in rows(course) if "has no hint" not in r]      # the warnings have their own test
    assert out == [
        f"basics/one/checkers/add_two.py:{line_of(checker, 'missing-one')}: the checker asks for known error "
        "'missing-one', which exercise 'add-two' does not declare in lesson.toml: add an [[exercises.known_errors]] "
        "entry with that id",
        f"basics/one/lesson.toml:{line_of(toml, 'no-such-idea')}: known error 'text-plus-number' of "
        "exercise 'add-two' names misconception 'no-such-idea', which no lesson up to this one declares",
        f"basics/one/lesson.toml:{line_of(toml, 'catalogue = ')}: known error 'odd-device' of exercise 'add-two' "
        "names catalogue id 'no-such-finding', which diagnose/catalogue.toml does not define",
    ]


def test_a_known_errors_tag_needs_a_hint_and_a_hint_may_wait_for_it(course: Path) -> None:
    toml = add_known(course)
    warnings = [p for p in lint(course) if p.warning]
    assert [(p.file, p.line) for p in warnings] == [(toml, line_of(toml, 'failure = "text-plus-number"'))]
    assert "failure 'text-plus-number' has no hint in exercise 'add-two'" in warnings[0].message
    edit(toml, '{ text = "Use the + operator." }', '{ text = "Make both numbers first.", when = ["text-plus-number"] }')
    assert rows(course) == []          # the hint's tag is one the data declares, and it answers it


def test_a_placeholder_the_checker_does_not_fill_is_an_error_at_its_known_call(course: Path) -> None:
    add_known(course, KNOWN.replace('"{doing} added text', '"{what} added text'))
    checker = course / "basics/one/checkers/add_two.py"
    edit(checker, "def check(ex):\n", "def check(ex):\n    ex.call(len, [], errors=[known(\"text-plus-number\")])\n")
    edit(checker, "from torchtutor.checks import Wrong, expect_close", "from torchtutor.checks import Wrong, expect_close, known")
    out = [r for r in rows(course) if "has no hint" not in r]
    assert out == [f"basics/one/checkers/add_two.py:{line_of(checker, 'known(')}: known error 'text-plus-number' has "
                   "{what} in its words, which this known(...) does not fill, so the learner would read it as it is: "
                   "pass known('text-plus-number', what=...)"]
    edit(checker, 'known("text-plus-number")', 'known("text-plus-number", what="Adding")')
    assert [r for r in rows(course) if "has no hint" not in r] == []

"""Predict checks evaluated in the warm runner's sandbox: ``Runner.evaluate``, the web
reader's quiz endpoint, the local service's ``evaluate`` request and `torchtutor quiz`
through a running service (and without one).

A check whose code reports ``os.getpid()`` tells where it ran: in this process (the old
in-process evaluation) or in a check child of the runner's worker.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time

import pytest
from typer.testing import CliRunner

from torchtutor.cli import UsageError, app
from torchtutor.curriculum import load_or_raise
from torchtutor.curriculum.evaluate import CheckCodeError, evaluate_code, run_check_code
from torchtutor.runner import Runner

PID_CODE = "import os\nprint('ran in', os.getpid())\nanswer = os.getpid()\n"


@pytest.fixture(scope="module")
def runner():
    with Runner() as r:
        r.start()
        yield r


def _first_number_check(course):
    return next((lesson, check) for lesson in course.lessons for check in lesson.checks
                if check.kind == "predict" and check.answer_kind == "number")


@pytest.mark.parametrize("kind, code", [
    ("shape", "import torch\nprint('made it')\nanswer = torch.zeros(3, 2)"),
    ("number", "import torch\nanswer = torch.tensor(2.5) * 2"),
    ("bool", "answer = [] == []"),
    ("text", "import torch\nanswer = torch.ones(2).dtype"),
    ("shape", "answer = (4,)"),
])
def test_runner_evaluate_gives_what_the_process_gives(runner, kind, code) -> None:
    """Value (normalised as in this process, a shape as a tuple) and printed output."""
    assert runner.evaluate("lesson/check", code, kind) == evaluate_code("lesson/check", code, kind)


def test_runner_evaluate_runs_in_a_child_not_here(runner) -> None:
    value, output = runner.evaluate("lesson/pid", PID_CODE, "number")
    assert value not in (os.getpid(), runner.worker_pid)
    assert output == f"ran in {value}\n"


@pytest.mark.parametrize("code, says", [
    ("answer = 1 / 0", "failed (ZeroDivisionError: division by zero)"),
    ("x = 1", "did not set `answer`"),
    ("answer = 'four'", "is not a number"),
    ("import sys\nsys.exit(3)", "failed (SystemExit: 3)"),
])
def test_a_failing_check_code_is_the_same_one_paragraph(runner, code, says) -> None:
    with pytest.raises(CheckCodeError) as sandboxed:
        runner.evaluate("lesson/broken", code, "number")
    with pytest.raises(CheckCodeError) as here:
        evaluate_code("lesson/broken", code, "number")
    message = str(sandboxed.value)
    assert message == str(here.value)
    assert says in message and "lesson/broken" in message and "bug in the course" in message
    assert "Traceback" not in message and "\n" not in message


def test_a_hanging_check_code_is_stopped_at_the_timeout(runner) -> None:
    started = time.monotonic()
    with pytest.raises(CheckCodeError) as err:
        runner.evaluate("lesson/forever", "while True:\n    pass\n", "number", timeout=1.0)
    took = time.monotonic() - started
    assert took < 8, took                      # the 1 s limit plus the worker's stop, on a loaded machine
    assert "lesson/forever" in str(err.value) and "more than 1 s" in str(err.value)
    assert runner.evaluate("lesson/after", "answer = 7", "number") == (7, "")   # the runner is healthy


def test_the_web_quiz_endpoint_evaluates_in_the_runner(runner, tmp_path, monkeypatch) -> None:
    from starlette.testclient import TestClient

    from torchtutor.web import app as web_app
    from torchtutor.workspace import Workspace

    course = load_or_raise()
    lesson, check = _first_number_check(course)
    check.code = PID_CODE
    monkeypatch.setenv("HOME", str(tmp_path))
    ws, _ = Workspace.create(tmp_path / "ws", course)
    reader = web_app.Reader(ws, runner=runner, watch=False)
    client = TestClient(web_app.create_app(reader, token="t", port=8000), base_url="http://127.0.0.1:8000")
    assert client.get("/?token=t", follow_redirects=False).status_code == 303
    reply = client.post(f"/api/quiz/{lesson.slug}/{check.id}", json={"answer": "1"},
                        headers={"origin": "http://127.0.0.1:8000"})
    assert reply.status_code == 200, reply.text
    data = reply.json()
    assert data["value"] not in (os.getpid(), runner.worker_pid) and data["output"] == f"ran in {data['value']}\n"
    assert data["recorded"] is True                        # recorded as before
    assert [a.check_id for a in ws.store.quiz_answers(lesson.slug)] == [check.id]
    check.code = "answer = 1 / 0"
    broken = client.post(f"/api/quiz/{lesson.slug}/{check.id}", json={"answer": "1"},
                         headers={"origin": "http://127.0.0.1:8000"})
    assert broken.status_code == 400 and "bug in the course" in broken.json()["error"]
    assert "Traceback" not in broken.text
    ws.store.close()


@pytest.fixture
def service(runner, tmp_path, monkeypatch):
    """A ServiceServer in this process for a fresh workspace, evaluating with the runner; the
    server's copy of the course has its first number check report the pid it runs in."""
    from torchtutor.web.service import ServiceServer
    from torchtutor.workspace import Workspace
    from torchtutor.workspace.quiz import runner_evaluate

    monkeypatch.setenv("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="tt-sock-", dir="/tmp"))
    monkeypatch.delenv("TORCHTUTOR_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    course = load_or_raise()
    ws, _ = Workspace.create(tmp_path / "ws", course)
    lesson, check = _first_number_check(course)
    check.code = PID_CODE
    server = ServiceServer(ws, check=lambda *a: None, url="http://127.0.0.1:1/", evaluate=runner_evaluate(runner))
    server.start()
    assert server.sock is not None
    yield server, lesson.slug, check.id
    server.close()
    ws.store.close()


def _quiz(root, *args, input=None):
    return CliRunner().invoke(app, ["-w", str(root), "quiz", *args], input=input, env={"COLUMNS": "120"})


def test_the_service_answers_evaluate(service) -> None:
    from torchtutor.service import request

    server, slug, check_id = service
    reply = request(server.ws.root, "evaluate", {"lesson": slug, "check": check_id})
    assert reply["exit"] == 0 and reply["value"] != os.getpid() and reply["output"] == f"ran in {reply['value']}\n"
    missing = request(server.ws.root, "evaluate", {"lesson": slug, "check": "no-such-check"})
    assert missing["exit"] == 2 and "no-such-check" in missing["stderr"]


def test_cli_quiz_evaluates_through_the_running_service(service) -> None:
    server, slug, check_id = service
    out = _quiz(server.ws.root, slug, "--check", check_id, "--answer", "1", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["value"] != os.getpid() and data["output"] == f"ran in {data['value']}\n"   # the server's runner
    assert data["recorded"] is True
    asked = _quiz(server.ws.root, slug, "--check", check_id, input="1\n")          # the interactive form
    assert asked.exit_code == 0, asked.output
    gives = re.search(r"the code gives (\d+)\.", asked.output)
    assert gives and int(gives.group(1)) not in (os.getpid(), data["value"])   # a fresh child of the runner
    answers = [a.check_id for a in server.ws.store.quiz_answers(slug)]
    assert answers == [check_id, check_id]                                           # recorded by the CLI


def test_cli_quiz_falls_back_to_this_process_without_a_service(service) -> None:
    server, slug, check_id = service
    server.close()                                                                   # no server answers now
    out = _quiz(server.ws.root, slug, "--check", check_id, "--answer", "1", "--json")
    assert out.exit_code == 0, out.output
    course = load_or_raise()
    lesson = course.lesson(slug)
    real, _ = run_check_code(lesson, next(c for c in lesson.checks if c.id == check_id))
    assert json.loads(out.output)["value"] == real                 # the packaged check, evaluated here


def test_a_failing_check_code_through_the_service_is_one_paragraph(service) -> None:
    server, slug, check_id = service
    lesson = server.ws.course.lesson(slug)
    next(c for c in lesson.checks if c.id == check_id).code = "answer = undefined_name"
    out = _quiz(server.ws.root, slug, "--check", check_id, "--answer", "1")
    assert isinstance(out.exception, UsageError), out.output                     # one paragraph, exit 2
    message = str(out.exception)
    assert "NameError" in message and f"{slug}/{check_id}" in message and "bug in the course" in message
    assert "Traceback" not in message


def test_the_notebook_evaluates_through_the_server_else_in_its_own_runner(service, runner, monkeypatch) -> None:
    """A notebook's predict check: the running server's runner answers; without a server the
    kernel's own runner does, in a sandboxed child (never the kernel itself)."""
    from torchtutor import nb

    server, slug, check_id = service
    next(c for c in server.ws.course.lesson(slug).checks if c.id == check_id).code = "answer = 111"
    monkeypatch.setattr(nb, "_workspace", server.ws)
    monkeypatch.setattr(nb, "_runner", runner)
    lesson = load_or_raise().lesson(slug)
    check = next(c for c in lesson.checks if c.id == check_id)
    check.code = PID_CODE
    item = nb.CheckItem(lesson, check)
    assert "The code gives: 111" in item.answer("1").text                       # the server's copy ran
    server.close()
    shown = item.answer("1").text
    gives = int(re.search(r"The code gives: (\d+)", shown).group(1))
    assert gives != os.getpid()                                                    # the kernel's runner, not here


def test_every_real_predict_check_gives_the_same_answer_in_the_runner(runner) -> None:
    from torchtutor.workspace.quiz import runner_evaluate

    evaluate = runner_evaluate(runner)
    pairs = [(lesson, check) for lesson in load_or_raise().lessons for check in lesson.checks if check.kind == "predict"]
    assert pairs
    for lesson, check in pairs:
        assert evaluate(lesson, check) == run_check_code(lesson, check), f"{lesson.slug}/{check.id}"

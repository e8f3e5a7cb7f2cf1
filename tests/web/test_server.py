"""The web reader over HTTP: security refusals, the JSON API, live events, the local service."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from torchtutor.curriculum import load_or_raise

COURSE = load_or_raise()


# ----------------------------------------------------------------------------- refusals
def test_no_token_is_refused(served) -> None:
    reply = httpx.get(served.base + "/")
    assert reply.status_code == 401
    assert "token" in reply.text and "Traceback" not in reply.text
    assert httpx.get(served.base + "/lesson/tensors").status_code == 401
    assert httpx.get(served.base + "/api/events").status_code == 401


def test_wrong_token_is_refused_and_sets_no_cookie(served) -> None:
    reply = httpx.get(served.base + "/?token=" + "x" * len(served.token))
    assert reply.status_code == 403
    assert "set-cookie" not in reply.headers


def test_token_becomes_a_strict_httponly_cookie(served) -> None:
    reply = httpx.get(f"{served.base}/?token={served.token}")
    assert reply.status_code == 303 and reply.headers["location"] == "/"
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert served.token not in cookie                      # the cookie is a second secret, not the token
    with served.client() as client:
        assert client.get("/").status_code == 200


def test_foreign_host_is_refused_even_with_the_cookie(served) -> None:
    with served.client() as client:
        for host in ("attacker.example", f"attacker.example:{served.port}", "127.0.0.1", f"127.0.0.1:{served.port + 1}"):
            reply = client.get("/", headers={"host": host})
            assert reply.status_code == 403, host
        assert client.get("/", headers={"host": f"localhost:{served.port}"}).status_code == 200


def test_state_changing_requests_need_their_own_origin(served) -> None:
    with served.client() as client:
        url = "/api/exercise/tensors/mirror-numpy/hint"
        assert client.post(url, headers={"origin": "http://attacker.example"}).status_code == 403
        assert client.post(url).status_code == 403                                  # no Origin at all
        assert client.post(url, headers={"origin": f"http://localhost:{served.port}"}).status_code == 403
        put = client.put("/api/exercise/tensors/mirror-numpy/file", json={"source": "x = 1\n"},
                         headers={"origin": "http://attacker.example"})
        assert put.status_code == 403
        path = next(served.root.glob("*/01_mirror_numpy.py"))
        assert path.read_text() != "x = 1\n"


def test_running_code_without_the_token_is_refused(served) -> None:
    for url, body in (("/api/exercise/tensors/mirror-numpy/check", None),
                      ("/api/widget/autograd-explorer", {"params": {}}),
                      ("/api/quiz/autograd/" + COURSE.lesson("autograd").checks[0].id, {"answer": "1"})):
        reply = httpx.post(served.base + url, json=body, headers=served.origin())
        assert reply.status_code == 401, url


def test_no_cors_headers_and_a_strict_csp(served) -> None:
    with served.client() as client:
        preflight = client.options("/api/widget/autograd-explorer",
                                   headers={"origin": "http://attacker.example", "access-control-request-method": "POST"})
        assert preflight.status_code == 403
        page = client.get("/lesson/autograd", headers={"origin": "http://attacker.example"})
        assert not [h for h in page.headers if h.lower().startswith("access-control-")]
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "http" not in csp                           # no remote sources anywhere
        assert "<script>" not in page.text and "onclick" not in page.text


def test_errors_are_sentences_not_tracebacks(served) -> None:
    with served.client() as client:
        for reply in (client.get("/lesson/no-such-lesson"), client.get("/nope"),
                      client.post("/api/widget/autograd-explorer", content=b"{not json", headers=served.origin()),
                      client.post("/api/widget/autograd-explorer", json={"params": {"w1": "abc"}}, headers=served.origin()),
                      client.post("/api/widget/no-such-widget", json={}, headers=served.origin())):
            assert reply.status_code in (400, 404), reply.text
            assert "Traceback" not in reply.text and 'File "' not in reply.text


def test_an_internal_error_does_not_reach_the_page(tmp_path, monkeypatch) -> None:
    from starlette.testclient import TestClient

    from torchtutor.web import app as web_app
    from torchtutor.workspace import Workspace

    ws, _ = Workspace.create(tmp_path / "ws", COURSE)
    reader = web_app.Reader(ws, runner=None, watch=False)
    monkeypatch.setattr(web_app.pages, "index_page", lambda ws: 1 / 0)
    monkeypatch.setenv("HOME", str(tmp_path))
    client = TestClient(web_app.create_app(reader, token="t", port=8000), base_url="http://127.0.0.1:8000",
                        raise_server_exceptions=False)
    assert client.get("/?token=t", follow_redirects=False).status_code == 303
    reply = client.get("/")
    assert reply.status_code == 500
    assert "ZeroDivisionError" in reply.text and "Traceback" not in reply.text and "1 / 0" not in reply.text
    assert "Traceback" in (tmp_path / ".cache" / "torchtutor" / "crash.log").read_text()


def test_lesson_figures_are_served_and_nothing_else(served) -> None:
    lesson = next((l for l in COURSE.lessons if (l.dir / "figures").is_dir()), None)
    if lesson is None:
        pytest.skip("no lesson ships figures yet")
    figure = next(p for p in (lesson.dir / "figures").iterdir() if p.suffix == ".png")
    with served.client() as client:
        reply = client.get(f"/lesson/{lesson.slug}/figures/{figure.name}")
        assert reply.status_code == 200 and reply.content == figure.read_bytes()
        assert f"/lesson/{lesson.slug}/figures/{figure.name}" in client.get(f"/lesson/{lesson.slug}").text
        for name in ("..%2Flesson.toml", "../lesson.toml", "%2E%2E%2Flesson.toml", "nope.png"):
            assert client.get(f"/lesson/{lesson.slug}/figures/{name}").status_code == 404, name


# ----------------------------------------------------------------------------- API
def test_widget_api_gives_the_same_numbers_as_the_cli(served) -> None:
    from torchtutor.widgets import autograd_explorer

    with served.client() as client:
        reply = client.post("/api/widget/autograd-explorer", json={"params": {"w1": -0.5, "x": "1.5"}},
                            headers=served.origin())
    assert reply.status_code == 200
    assert reply.json()["manual"] == autograd_explorer(w1=-0.5, x=1.5)["manual"]
    cli = subprocess.run([sys.executable, "-m", "torchtutor.cli", "widget", "autograd-explorer", "--w1", "-0.5",
                          "--x", "1.5", "--json"], capture_output=True, text=True, timeout=60)
    assert json.loads(cli.stdout)["autograd"] == reply.json()["autograd"]


def test_hint_and_solution_reveals_are_recorded(served) -> None:
    from torchtutor.progress import ProgressStore

    with served.client() as client:
        first = client.post("/api/exercise/autograd/accumulation-trap/hint", headers=served.origin()).json()
        second = client.post("/api/exercise/autograd/accumulation-trap/hint", headers=served.origin()).json()
        solution = client.post("/api/exercise/autograd/accumulation-trap/solution", headers=served.origin()).json()
    assert (first["rung"], second["rung"]) == (0, 1) and first["text"]
    assert "def " in solution["source"] or "=" in solution["source"]
    store = ProgressStore(served.root / ".torchtutor" / "progress.sqlite3")
    try:
        assert store.hints_revealed("autograd/accumulation-trap") == 2
    finally:
        store.close()


def test_file_api_writes_through_the_workspace_and_the_watcher_checks_it(served) -> None:
    lesson = COURSE.lesson("tensors")
    ex = lesson.exercises[1]
    fid = f"tensors/{ex.id}"
    solution = (lesson.dir / "solutions" / f"{ex.stem}.py").read_text()
    with served.client() as client, client.stream("GET", "/api/events") as events:
        lines = events.iter_lines()
        assert next(lines).startswith("retry")
        put = client.put(f"/api/exercise/{fid}/file", json={"source": solution}, headers=served.origin())
        assert put.status_code == 200
        deadline = time.monotonic() + 20
        verdict = None
        for line in lines:
            if line.startswith("data:") and fid in line:
                verdict = json.loads(line[5:])
                break
            assert time.monotonic() < deadline
    assert verdict["verdict"]["passed"], verdict
    assert verdict["source"] == solution and verdict["status"] == "done"
    assert client_read(served, fid) == solution


def client_read(served, fid: str) -> str:
    with served.client() as client:
        return client.get(f"/api/exercise/{fid}/file").json()["source"]


# ----------------------------------------------------------------------------- the local service
def _tt(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TORCHTUTOR_WORKSPACE", "TORCHTUTOR_COURSE")}
    return subprocess.run([sys.executable, "-m", "torchtutor", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_check_uses_the_running_server(served) -> None:
    started = time.perf_counter()
    proc = _tt("check", "tensors/mirror-numpy", "--json", cwd=served.root)
    took = time.perf_counter() - started
    assert proc.returncode == 1, proc.stderr
    verdict = json.loads(proc.stdout)
    assert verdict["id"] == "tensors/mirror-numpy" and not verdict["passed"]
    from torchtutor.checks.verdict import Verdict

    assert set(verdict) == set(Verdict.__dataclass_fields__)           # the same JSON as the CLI's own --json
    assert took < 5, took                   # a cold check imports torch; the warm one does not (benchmarks time it)
    env = {k: v for k, v in os.environ.items() if k not in ("TORCHTUTOR_WORKSPACE", "TORCHTUTOR_COURSE")}
    printed = served.log.read_text().count("tensors/mirror-numpy  (")
    old_entry = subprocess.run([sys.executable, "-m", "torchtutor.cli", "check", "tensors/mirror-numpy", "--json"],
                               cwd=served.root, env=env, capture_output=True, text=True, timeout=60)
    assert json.loads(old_entry.stdout)["summary"] == verdict["summary"]
    deadline = time.monotonic() + 5      # cli:main asked the server too: the server printed that verdict
    while served.log.read_text().count("tensors/mirror-numpy  (") <= printed:
        assert time.monotonic() < deadline, served.log.read_text()[-1000:]
        time.sleep(0.05)
    text = _tt("-w", str(served.root), "check", str(next(served.root.glob("*/01_mirror_numpy.py"))), cwd=Path("/")).stdout
    assert "tensors/mirror-numpy" in text and "Stuck? torchtutor hint" in text


def test_cli_quiz_answer_and_hint_through_the_server(served) -> None:
    check = next(c for c in COURSE.lesson("autograd").checks if c.kind == "choice")
    proc = _tt("quiz", "autograd", "--check", check.id, "--answer", str(check.answer + 1), "--json", cwd=served.root)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["correct"] is True and json.loads(proc.stdout)["recorded"] is True
    hint = _tt("hint", "nn-module/" + COURSE.lesson("nn-module").exercises[0].id, cwd=served.root)
    assert hint.returncode == 0 and "Hint 1 of" in hint.stdout
    missing = _tt("check", "no-such-exercise", cwd=served.root)
    assert missing.returncode == 2 and "no exercise" in missing.stderr.lower()


def test_cli_quiz_predict_checks_run_in_the_servers_runner(served) -> None:
    from torchtutor.curriculum.evaluate import run_check_code
    from torchtutor.service import request

    lesson = COURSE.lesson("autograd")
    check = next(c for c in lesson.checks if c.kind == "predict")
    real, _ = run_check_code(lesson, check)
    reply = request(served.root, "evaluate", {"lesson": lesson.slug, "check": check.id})
    assert reply["exit"] == 0 and reply["value"] == real
    answered = _tt("quiz", lesson.slug, "--check", check.id, "--answer", str(real), "--json", cwd=served.root)
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["correct"] is True and json.loads(answered.stdout)["recorded"] is True
    env = {k: v for k, v in os.environ.items() if k not in ("TORCHTUTOR_WORKSPACE", "TORCHTUTOR_COURSE")}
    asked = subprocess.run([sys.executable, "-m", "torchtutor", "quiz", lesson.slug, "--check", check.id],
                           cwd=served.root, env=env, input=f"{real}\n", capture_output=True, text=True, timeout=120)
    assert asked.returncode == 0, asked.stderr
    assert "Right" in asked.stdout and "1 of 1 right" in asked.stdout


def test_cli_falls_back_when_no_server_answers(tmp_path) -> None:
    root = tmp_path / "ws"
    assert _tt("start", str(root), "--no-browser", "--no-watch", cwd=tmp_path).returncode == 0
    (root / ".torchtutor" / "serve.json").write_text(json.dumps({"socket": str(tmp_path / "gone.sock"), "pid": 1}))
    proc = _tt("check", "tensors/mirror-numpy", "--json", cwd=root)
    assert proc.returncode == 1 and json.loads(proc.stdout)["id"] == "tensors/mirror-numpy"


def test_start_serves_the_course_by_default(tmp_path) -> None:
    import re
    import signal

    env = {k: v for k, v in os.environ.items() if k not in ("TORCHTUTOR_WORKSPACE", "TORCHTUTOR_COURSE")}
    log = tmp_path / "start.log"
    proc = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "start", str(tmp_path / "ws"), "--no-browser",
                             "--port", "0"], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", log.read_text())):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{found.group(1)}") as client:
            assert client.get(f"/?token={found.group(2)}", follow_redirects=True).status_code == 200
            assert "Module 2.1" in client.get("/").text
        assert (tmp_path / "ws" / ".torchtutor" / "serve.json").is_file()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=20)
    assert not (tmp_path / "ws" / ".torchtutor" / "serve.json").exists()     # the registry goes with the server


def test_transfer_question_is_self_marked_and_recorded(served) -> None:
    from torchtutor.progress import ProgressStore

    lesson = next(l for l in COURSE.lessons if any(c.kind == "transfer" for c in l.checks))
    check = next(c for c in lesson.checks if c.kind == "transfer")
    url = f"/api/quiz/{lesson.slug}/{check.id}"
    with served.client() as client:
        first = client.post(url, json={"answer": "My own words."}, headers=served.origin()).json()
        assert first["expected"] == check.model_answer and first["recorded"] is False
        marked = client.post(url, json={"answer": "My own words.", "mark": "partly"}, headers=served.origin()).json()
        assert marked["self_mark"] == "partly" and marked["recorded"] is True
        empty = client.post(url, json={"answer": "  "}, headers=served.origin())
        assert empty.status_code == 400 and "empty" in empty.json()["error"]
    store = ProgressStore(served.root / ".torchtutor" / "progress.sqlite3")
    try:
        assert [a.self_mark for a in store.quiz_answers() if a.check_id == check.id] == ["partly"]
    finally:
        store.close()


def test_one_server_per_workspace_and_private_files(served) -> None:
    import stat

    from torchtutor.service import read_registry

    info = read_registry(served.root)
    assert stat.S_IMODE((served.root / ".torchtutor" / "serve.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(info["socket"]).stat().st_mode) & 0o077 == 0       # only this user may connect
    second = _tt("serve", "--no-browser", "--port", "0", cwd=served.root)
    assert second.returncode == 0 and "already served" in second.stdout and served.base in second.stdout

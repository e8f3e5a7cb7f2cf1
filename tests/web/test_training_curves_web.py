"""The training-curves widget over HTTP: snapshots streamed line by line, the same numbers as the
function and the CLI, refusals as sentences, and a run that never holds the widgets' RNG lock."""

from __future__ import annotations

import json
import math
import threading

from torchtutor.widgets import training_curves

SHORT = {"steps": 30, "eval_every": 10}


def same_run(a, b) -> bool:
    """Equal, with floats equal to float32 rounding: a process or thread with another intra-op thread
    count (an earlier torch.set_num_threads, a server's worker thread) may sum in another order and
    change a last bit, never a number a learner sees."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_run(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_run, a, b))
    return a == b


def _lines(reply) -> list[dict]:
    return [json.loads(line) for line in reply.iter_lines() if line.strip()]


def test_the_stream_sends_growing_snapshots_ending_in_the_functions_result(served) -> None:
    expected = training_curves(**SHORT)
    with served.client() as client:
        with client.stream("POST", "/api/widget/training-curves/stream", json={"params": SHORT},
                           headers=served.origin()) as reply:
            assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/x-ndjson")
            snapshots = _lines(reply)
        whole = client.post("/api/widget/training-curves", json={"params": SHORT}, headers=served.origin())
    assert [s["steps_done"] for s in snapshots] == [0, 10, 20, 30]
    assert [s["done"] for s in snapshots] == [False, False, False, True]
    # the page, the one-shot API and the function agree (each ran in its own thread: see same_run)
    assert same_run(snapshots[-1], expected) and same_run(whole.json(), expected)


def test_a_refused_parameter_is_a_400_sentence_before_any_training(served) -> None:
    with served.client() as client:
        for params, words in (({"optimizer": "rmsprop"}, "must be one of adam, sgd"),
                              ({"lr": "fast"}, "--lr takes a number"), ({"steps": 0}, "--steps must be")):
            reply = client.post("/api/widget/training-curves/stream", json={"params": params}, headers=served.origin())
            assert reply.status_code == 400 and words in reply.json()["error"], (params, reply.text)
            assert "Traceback" not in reply.text
        other = client.post("/api/widget/softmax-explorer/stream", json={"params": {"logits": "2,1"}},
                            headers=served.origin())
        assert other.status_code == 200 and len(other.text.strip().splitlines()) == 1   # any widget: one snapshot
        assert json.loads(other.text)["widget"] == "softmax-explorer"
        assert client.post("/api/widget/training-curves/stream", json={"params": SHORT}).status_code == 403


def test_a_run_streams_while_the_rng_lock_is_held_elsewhere(tmp_path) -> None:
    """Widgets that reseed torch's global RNG take the reader's lock for milliseconds; a training run
    draws only from its own generator, so it must not wait for that lock (nor hold it for seconds)."""
    from starlette.testclient import TestClient

    from torchtutor.web import app as web_app

    reader = web_app.Reader(None, runner=None, watch=False)
    client = TestClient(web_app.create_app(reader, token="t", port=8000), base_url="http://127.0.0.1:8000")
    assert client.get("/?token=t", follow_redirects=False).status_code == 303
    held = reader.torch_lock.acquire(timeout=1)
    try:
        assert held
        done = threading.Event()
        result: dict = {}

        def request() -> None:
            reply = client.post("/api/widget/training-curves/stream", json={"params": SHORT},
                                headers={"origin": "http://127.0.0.1:8000"})
            result["lines"] = reply.text.strip().splitlines()
            done.set()

        threading.Thread(target=request, daemon=True).start()
        assert done.wait(120), "the training run waited for the RNG lock"
    finally:
        reader.torch_lock.release()
    assert json.loads(result["lines"][-1]) == training_curves(**SHORT)


def test_a_run_that_fails_midway_ends_its_stream_with_a_sentence(tmp_path, monkeypatch) -> None:
    from starlette.testclient import TestClient

    from torchtutor.web import app as web_app
    from torchtutor.widgets import WIDGETS

    def breaking(**kwargs):
        yield {"widget": "training-curves", "steps_done": 0}
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(WIDGETS["training-curves"], "stream", breaking)
    monkeypatch.setenv("HOME", str(tmp_path))
    reader = web_app.Reader(None, runner=None, watch=False)
    client = TestClient(web_app.create_app(reader, token="t", port=8000), base_url="http://127.0.0.1:8000")
    client.get("/?token=t", follow_redirects=False)
    reply = client.post("/api/widget/training-curves/stream", json={"params": {}},
                        headers={"origin": "http://127.0.0.1:8000"})
    first, last = [json.loads(line) for line in reply.text.strip().splitlines()]
    assert first["steps_done"] == 0
    assert "internal error (RuntimeError)" in last["error"] and "disk went away" not in last["error"]
    assert "Traceback" in (tmp_path / ".cache" / "torchtutor" / "crash.log").read_text()


def test_a_stream_whose_reader_goes_away_stops_its_run() -> None:
    """Closing the stream (the page navigated away, or a new run replaced it) stops the thread."""
    import asyncio
    import time

    from types import SimpleNamespace

    from torchtutor.web.app import Hub, _follow

    made = []

    def endless():
        while True:
            made.append(1)
            time.sleep(0.005)
            yield {"n": len(made)}

    async def read_two_then_leave() -> list:
        lines = _follow(endless(), SimpleNamespace(stop=threading.Event(), hub=Hub()))   # the reader's two parts
        got = [json.loads(await lines.__anext__()), json.loads(await lines.__anext__())]
        await lines.aclose()
        return got

    assert [g["n"] for g in asyncio.run(read_two_then_leave())] == [1, 2]
    time.sleep(0.2)
    stopped_at = len(made)
    time.sleep(0.3)
    assert len(made) == stopped_at < 100          # nothing is computed for nobody

"""Web reader latency: pages, widget calls, save-to-verdict in the page, and a CLI check
answered by the running server, each against the baseline it replaces, in the same run.

    python benchmarks/web_latency.py [--pages 60] [--widgets 60] [--saves 20] [--cold 5] [--cli 10]

It starts a real ``torchtutor serve`` on a fresh workspace (a subprocess, port 0) and:

- GETs every lesson page in turn (the server renders it each time; the Markdown is cached
  until the lesson file changes): p50 / p95;
- POSTs ``/api/widget/autograd-explorer`` with a new w1 each time (what a slider does): p50 / p95;
- opens a lesson in headless Chromium (/usr/bin/chromium) and saves an exercise file on disk,
  alternately wrong and right, timing from the write until the verdict is in the page
  (file event, debounce, warm runner, progress store, server-sent event, DOM update).
  Without Chromium it times until the server-sent event arrives instead, and says so;
- runs ``python exercise.py`` of the same file cold, the baseline a learner without the
  warm runner pays;
- runs ``python -m torchtutor check ID --json`` while the server runs (the CLI sends the
  check to the server's warm runner over its Unix socket);
- streams a ``training-curves`` run (the default 300 steps): time to its first snapshot and
  to the last; then times autograd-explorer calls while a long run (3,000 steps) streams,
  against the same calls with nothing training, measured just before: a training run
  must not hold up the other widgets (it trains in its own thread, outside the RNG lock).

Goals: page p50 < 50 ms, widget p50 < 20 ms, save-to-verdict p50 < 300 ms and at most 1/10
of the cold run, CLI check p50 < 300 ms, widget p50 while a run trains < 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from torchtutor.curriculum import load_or_raise  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
EXERCISE = ("tensors", 2)   # lesson slug and exercise index timed for save-to-verdict


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def fmt(values: list[float]) -> str:
    return f"p50 {pct(values, .5):7.1f} ms   p95 {pct(values, .95):7.1f} ms   (n={len(values)})"


def env() -> dict:
    out = {k: v for k, v in os.environ.items() if k not in ("TORCHTUTOR_WORKSPACE", "TORCHTUTOR_COURSE")}
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), out.get("PYTHONPATH")) if p)
    return out


def start(root: Path) -> tuple[subprocess.Popen, str, str, Path]:
    subprocess.run([sys.executable, "-m", "torchtutor.cli", "start", str(root), "--no-browser", "--no-watch"],
                   env=env(), check=True, capture_output=True)
    log = root.parent / "serve.log"
    proc = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "serve", "-w", str(root), "--port", "0",
                             "--no-browser"], env=env(), stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)", log.read_text())
        if found:
            return proc, found.group(1), found.group(2), log
        if proc.poll() is not None:
            sys.exit(f"torchtutor serve exited:\n{log.read_text()}")
        time.sleep(0.05)
    sys.exit("torchtutor serve printed no URL within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--widgets", type=int, default=60)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--cli", type=int, default=10)
    parser.add_argument("--during", type=int, default=30, help="widget calls timed while a training run streams")
    args = parser.parse_args()

    course = load_or_raise()
    lesson = course.lesson(EXERCISE[0])
    ex = lesson.exercises[EXERCISE[1]]
    right = (lesson.dir / "solutions" / f"{ex.stem}.py").read_text()
    wrong = (lesson.dir / "exercises" / f"{ex.stem}.py").read_text()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        proc, base, token, log = start(root)
        try:
            # TCP_NODELAY as browsers set it: without it a POST's body waits for a delayed ACK (about 40 ms)
            transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
            with httpx.Client(base_url=base, timeout=60, transport=transport) as client:
                client.get(f"/?token={token}")
                origin = {"origin": base}
                fid = f"{lesson.slug}/{ex.id}"
                client.post(f"/api/exercise/{fid}/check", headers=origin)      # wait for the warm runner
                client.post("/api/widget/autograd-explorer", json={"params": {}}, headers=origin)

                pages = []
                for i in range(args.pages):
                    slug = course.lessons[i % len(course.lessons)].slug
                    t = time.perf_counter()
                    reply = client.get(f"/lesson/{slug}")
                    pages.append((time.perf_counter() - t) * 1000)
                    assert reply.status_code == 200, reply.text[:200]

                run_first, run_all = training_run(client, origin, {})
                idle, during = widget_calls_during_training(client, origin, args.during)

                widgets, widget_where = [], "(httpx)"
                if not CHROMIUM.exists():
                    for i in range(args.widgets):
                        t = time.perf_counter()
                        reply = client.post("/api/widget/autograd-explorer",
                                            json={"params": {"w1": -2 + 4 * i / max(1, args.widgets - 1)}},
                                            headers=origin)
                        widgets.append((time.perf_counter() - t) * 1000)
                        assert reply.status_code == 200, reply.text[:200]

            path = next(root.glob(f"*/{EXERCISE[1] + 1:02d}_{ex.stem}.py"))
            saves, where, in_page = save_to_verdict(base, token, fid, path, wrong, right, args.saves, args.widgets)
            if in_page:
                widgets, widget_where = in_page, "(fetch in page)"

            cold = []
            for _ in range(args.cold):
                t = time.perf_counter()
                subprocess.run([sys.executable, str(path)], cwd=path.parent, capture_output=True, env=env())
                cold.append((time.perf_counter() - t) * 1000)

            cli = []
            for _ in range(args.cli):
                t = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "torchtutor", "-w", str(root), "check", fid, "--json"],
                                      capture_output=True, text=True, env=env())
                cli.append((time.perf_counter() - t) * 1000)
                assert json.loads(done.stdout)["id"] == fid, done.stderr
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=20)

    page_p50, widget_p50 = pct(pages, .5), pct(widgets, .5)
    save_p50, cold_p50, cli_p50 = pct(saves, .5), statistics.median(cold), pct(cli, .5)
    ratio = save_p50 / cold_p50
    ok = lambda good: "ok" if good else "MISSED"  # noqa: E731
    print(f"lesson page GET                  {fmt(pages)}   goal p50 < 50 ms: {ok(page_p50 < 50)}")
    print(f"widget API {widget_where:21} {fmt(widgets)}   goal p50 < 20 ms: {ok(widget_p50 < 20)}")
    print(f"save -> verdict {where:16} {fmt(saves)}   goal p50 < 300 ms: {ok(save_p50 < 300)}")
    print(f"cold `python exercise.py`        {fmt(cold)}")
    print(f"save-to-verdict / cold run       {ratio:.3f}   goal <= 0.10: {ok(ratio <= 0.10)}")
    print(f"CLI `torchtutor check` (server)  {fmt(cli)}   goal p50 < 300 ms: {ok(cli_p50 < 300)}")
    print(f"training-curves, 300 steps       first snapshot {run_first:7.1f} ms   last {run_all:7.1f} ms")
    print(f"widget API, nothing training     {fmt(idle)}")
    print(f"widget API while a run trains    {fmt(during)}   goal p50 < 20 ms: {ok(pct(during, .5) < 20)}; "
          f"p50 / idle p50 {pct(during, .5) / pct(idle, .5):.2f}")


def training_run(client: httpx.Client, origin: dict, params: dict) -> tuple[float, float]:
    """Milliseconds to the first and the last snapshot of a streamed training-curves run."""
    t = time.perf_counter()
    first = None
    with client.stream("POST", "/api/widget/training-curves/stream", json={"params": params}, headers=origin) as reply:
        assert reply.status_code == 200, reply.read()[:200]
        for line in reply.iter_lines():
            if line.strip() and first is None:
                first = (time.perf_counter() - t) * 1000
    return first or 0.0, (time.perf_counter() - t) * 1000


def widget_calls_during_training(client: httpx.Client, origin: dict, n: int) -> tuple[list[float], list[float]]:
    """n autograd-explorer calls with nothing training, then n while a long run streams (own connection)."""
    import threading

    def calls() -> list[float]:
        times = []
        for i in range(n):
            t = time.perf_counter()
            reply = client.post("/api/widget/autograd-explorer", json={"params": {"w1": -1 + 2 * i / max(1, n - 1)}},
                                headers=origin)
            times.append((time.perf_counter() - t) * 1000)
            assert reply.status_code == 200, reply.text[:200]
        return times

    idle = calls()
    started, finished = threading.Event(), threading.Event()

    def train() -> None:
        with httpx.Client(base_url=str(client.base_url), cookies=client.cookies, timeout=300) as other, \
                other.stream("POST", "/api/widget/training-curves/stream",
                             json={"params": {"steps": 3000, "eval_every": 30}}, headers=origin) as reply:
            for line in reply.iter_lines():
                started.set()
                if finished.is_set():
                    break                      # closing the stream stops the run on the server

    thread = threading.Thread(target=train, daemon=True)
    thread.start()
    started.wait(120)
    during = calls()
    finished.set()
    thread.join(timeout=300)
    return idle, during


WIDGET_CALLS = """async ([n]) => {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const reply = await fetch('/api/widget/autograd-explorer', {method: 'POST', headers: {'content-type': 'application/json'},
                              body: JSON.stringify({params: {w1: -2 + 4 * i / Math.max(1, n - 1)}})});
    await reply.json();
    if (!reply.ok) throw new Error('widget call refused: ' + reply.status);
    times.push(performance.now() - t);
  }
  return times;
}"""


def save_to_verdict(base: str, token: str, fid: str, path: Path, wrong: str, right: str, n: int, n_widget: int):
    """Write the file, alternately wrong and right; time until the verdict is in the page.
    With Chromium, also time the widget calls as the page makes them (fetch)."""
    times = []
    if CHROMIUM.exists():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"{base}/?token={token}")
            page.goto(f"{base}/lesson/{fid.split('/')[0]}")
            count = "(id) => Number(document.querySelector(`.exercise[data-exercise='${id}']`).dataset.updates || 0)"
            while page.evaluate("() => document.body.dataset.live") != "1":
                time.sleep(0.01)
            for i in range(n + 1):
                before = page.evaluate(count, fid)
                t = time.perf_counter()
                path.write_text(right if i % 2 else wrong)
                while page.evaluate(count, fid) <= before:
                    if time.perf_counter() - t > 10:
                        raise SystemExit("no verdict reached the page within 10 s")
                if i:                                  # the first save warms the page's code path
                    times.append((time.perf_counter() - t) * 1000)
                time.sleep(0.3)
            widget_times = page.evaluate(WIDGET_CALLS, [n_widget])
            browser.close()
        return times, "(in the page)", widget_times
    with httpx.Client(base_url=base, timeout=30) as client, client.stream("GET", "/api/events",
                                                                           cookies=_cookie(client, token)) as events:
        lines = events.iter_lines()
        next(lines)
        for i in range(n + 1):
            t = time.perf_counter()
            path.write_text(right if i % 2 else wrong)
            for line in lines:
                if line.startswith("data:") and fid in line:
                    break
            if i:
                times.append((time.perf_counter() - t) * 1000)
            time.sleep(0.3)
    return times, "(SSE, no browser)", None


def _cookie(client: httpx.Client, token: str):
    client.get(f"/?token={token}")
    return client.cookies


if __name__ == "__main__":
    main()

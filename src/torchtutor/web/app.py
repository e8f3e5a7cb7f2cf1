"""The web reader's Starlette application: pages, the JSON API and live verdicts.

One application serves one workspace and holds its warm :class:`~torchtutor.runner.Runner`
and its watcher (``workspace.core.watch`` in a thread). Every verdict, whether it came
from a save in any editor, the page's own editor, the "Check now" button or a
``torchtutor check`` over the local socket, is published to the pages through
server-sent events (``/api/events``).

The routes are thin: each one parses its input, calls the workspace, quiz or widget
layer, and returns JSON or HTML. Security is the :class:`~.security.Gate` around it all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..workspace import Workspace, WorkspaceError
from . import pages
from .security import Gate

STATIC = Path(__file__).resolve().parent / "static"
FIGURE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
log = logging.getLogger("torchtutor.web")


class Hub:
    """Fan-out of server-sent events to every open page; :meth:`publish` is thread-safe."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queues: set[asyncio.Queue] = set()   # one per open page: server-sent events
        self.streams: set[asyncio.Queue] = set()  # one per streaming widget run: its lines

    def end_streams(self) -> None:
        """End every open response now (the server is stopping): a ``None`` tells each stream to
        finish, so shutting down never waits for, or cancels, a page's event stream."""
        loop = self.loop
        if loop is None:
            return
        for queue in list(self.queues) + list(self.streams):
            with contextlib.suppress(RuntimeError):  # the loop has closed already
                loop.call_soon_threadsafe(queue.put_nowait, None)

    def publish(self, event: str, data: dict) -> None:
        message = f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"
        loop = self.loop
        if loop is None:
            return
        for queue in list(self.queues):
            loop.call_soon_threadsafe(queue.put_nowait, message)


class Reader:
    """The state behind the application: the workspace, its runner, watcher and event hub."""

    def __init__(self, ws: Workspace, runner, *, on_verdict: Callable | None = None, watch: bool = True):
        self.ws = ws
        self.runner = runner
        self.hub = Hub()
        self.on_verdict = on_verdict
        self.watch = watch
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        # widgets (and predict checks, without a runner) run torch in this process and fork/restore its global RNG:
        # one at a time, so two requests never interleave their seeds
        self.torch_lock = threading.Lock()

    def in_process(self, fn, *args, **kwargs):
        with self.torch_lock:
            return fn(*args, **kwargs)

    def evaluate(self, lesson, check):
        """Run a predict check's code for the quiz (``workspace.quiz.Evaluate``): in the warm
        runner's sandboxed child, or in this process when the reader has no runner."""
        if self.runner is None:
            from ..curriculum.evaluate import run_check_code

            return self.in_process(run_check_code, lesson, check)
        from ..workspace.quiz import runner_evaluate

        return runner_evaluate(self.runner)(lesson, check)

    # ----- verdicts ---------------------------------------------------------------------
    def publish_verdict(self, lesson, ex, verdict) -> dict:
        fid = self.ws.full_id(lesson, ex)
        payload = {"exercise": fid, "status": self.ws.store.statuses().get(fid, "pending"),
                   "verdict": pages.verdict_payload(self.ws, lesson, verdict.to_dict()),
                   "source": self.ws.read_exercise(lesson, ex), "time": time.time()}
        self.hub.publish("verdict", payload)
        if self.on_verdict is not None:
            try:
                self.on_verdict(lesson, ex, verdict)
            except Exception:  # noqa: BLE001 - a terminal printer must never stop the watcher
                log.exception("on_verdict failed")
        return payload

    def check(self, lesson, ex) -> dict:
        started = time.perf_counter()
        verdict = self.ws.check(lesson, ex, self.runner)
        if not verdict.duration_ms:
            verdict.duration_ms = (time.perf_counter() - started) * 1000
        return self.publish_verdict(lesson, ex, verdict)

    # ----- lifetime ---------------------------------------------------------------------
    def _warm(self) -> None:
        try:
            self.runner.start()
        except Exception:  # noqa: BLE001 - the first check will report it as a verdict
            if not self.stop.is_set():  # (a runner closed while it started is no news)
                log.exception("could not start the runner")
        if self.stop.is_set():  # stopped while the runner started: nothing to warm up for
            return
        try:  # the widgets import torch in this process; do it before the first slider moves
            from ..widgets import autograd_explorer

            self.in_process(autograd_explorer)
            from ..widgets.curves import warm_up

            warm_up()   # a training run's first optimizer imports torch._dynamo: seconds, paid here
        except Exception:  # noqa: BLE001
            log.exception("widget warm-up failed")

    def _watch(self) -> None:
        from ..workspace.core import watch

        while not self.stop.is_set():
            try:
                watch(self.ws, self.runner, self.publish_verdict, stop_event=self.stop)
            except Exception:  # noqa: BLE001 - keep watching after an unexpected error
                log.exception("the watcher failed; restarting it")
                self.stop.wait(1.0)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.hub.loop = loop
        targets = [self._warm] + ([self._watch] if self.watch else [])
        for target in targets:
            thread = threading.Thread(target=target, name=f"torchtutor-{target.__name__.strip('_')}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stopping(self) -> None:
        """The server was asked to stop (Ctrl+C): end the open streams and the widget runs now,
        before the server waits for its connections to close."""
        self.stop.set()
        self.hub.end_streams()

    def close(self) -> None:
        """Stop the watcher and the runner at once, even in the middle of a check (Ctrl+C must
        end the server within a second): the check in flight comes back as stopped."""
        self.stop.set()
        self.runner.close()
        deadline = time.monotonic() + 0.5
        for thread in self.threads:  # not the warm-up: it may be importing torch, and it is a daemon
            if thread.name != "torchtutor-warm":
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self.hub.loop = None


# --------------------------------------------------------------------------- helpers
class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


async def _json_body(request: Request) -> dict:
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


def _exercise(reader: Reader, request: Request):
    fid = f"{request.path_params['lesson']}/{request.path_params['exercise']}"
    found = reader.ws.course.find_exercise(fid)
    if not found:
        raise BadRequest(f"There is no exercise {fid!r}.", 404)
    return found


def _lesson(reader: Reader, slug: str):
    lesson = reader.ws.course.lesson(slug)
    if lesson is None:
        raise BadRequest(f"There is no lesson {slug!r}.", 404)
    return lesson


def widget_kwargs(widget, params: Any) -> dict:
    """JSON parameters into keyword arguments (the registry parses them for every front end)."""
    return widget.json_kwargs(params)


# --------------------------------------------------------------------------- application
def create_app(reader: Reader, *, token: str, port: int):
    """The ASGI application for ``reader``, behind the security gate."""
    ws = reader.ws

    def index(request: Request):
        return HTMLResponse(pages.index_page(ws))

    def lesson(request: Request):
        return HTMLResponse(pages.lesson_page(ws, _lesson(reader, request.path_params["slug"])))

    def figure(request: Request):
        lesson_ = _lesson(reader, request.path_params["slug"])
        name = request.path_params["name"]
        folder = (lesson_.dir / "figures").resolve()
        path = (folder / name).resolve()
        if path.parent != folder or path.suffix.lower() not in FIGURE_TYPES or not path.is_file():
            raise BadRequest(f"Lesson {lesson_.slug} has no figure {name!r}.", 404)
        return FileResponse(path, media_type=FIGURE_TYPES[path.suffix.lower()],
                            headers={"cache-control": "max-age=3600"})

    def progress(request: Request):
        return HTMLResponse(pages.progress_page(ws))

    def pygments_css(request: Request):
        return Response(_PYGMENTS_CSS, media_type="text/css", headers={"cache-control": "max-age=3600"})

    async def events(request: Request):
        queue: asyncio.Queue = asyncio.Queue()
        reader.hub.queues.add(queue)

        async def stream():
            try:
                yield "retry: 1000\nevent: hello\ndata: {}\n\n"
                while True:
                    try:
                        message = await asyncio.wait_for(queue.get(), timeout=15)
                    except asyncio.TimeoutError:
                        message = ": keep-alive\n\n"
                    if message is None:  # the server is stopping
                        return
                    yield message
            finally:
                reader.hub.queues.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"cache-control": "no-store", "x-accel-buffering": "no"})

    def read_file(request: Request):
        lesson_, ex = _exercise(reader, request)
        return JSONResponse({"exercise": ws.full_id(lesson_, ex), "path": str(ws.exercise_path(lesson_, ex)),
                             "source": ws.read_exercise(lesson_, ex)})

    async def write_file(request: Request):
        lesson_, ex = _exercise(reader, request)
        data = await _json_body(request)
        source = data.get("source")
        if not isinstance(source, str) or len(source) > 1_000_000:
            raise BadRequest("source must be the file's text (at most 1 MB).")
        await asyncio.to_thread(ws.write_exercise, lesson_, ex, source)
        return JSONResponse({"saved": True, "exercise": ws.full_id(lesson_, ex)})

    async def check(request: Request):
        lesson_, ex = _exercise(reader, request)
        return JSONResponse(await asyncio.to_thread(reader.check, lesson_, ex))

    def hint(request: Request):
        lesson_, ex = _exercise(reader, request)
        step = ws.hint(lesson_, ex)
        return JSONResponse({"rung": step.rung, "total": step.total, "text": step.text, "matched": step.matched})

    def solution(request: Request):
        lesson_, ex = _exercise(reader, request)
        source, why = ws.solution(lesson_, ex)
        return JSONResponse({"source": source, "html": pages.highlight_code(source), "why": why})

    async def quiz_answer(request: Request):
        from ..workspace.quiz import Quiz, QuizError

        lesson_ = _lesson(reader, request.path_params["lesson"])
        data = await _json_body(request)
        quiz = Quiz(ws.course, lesson_, ws.store, evaluate=reader.evaluate)
        try:
            check_ = quiz.check(request.path_params["check"])
            if data.get("reveal"):
                return JSONResponse(quiz.reveal(check_))
            answer = data.get("answer")
            mark = data.get("mark")
            if not isinstance(answer, str) or (mark is not None and not isinstance(mark, str)):
                raise BadRequest("answer (and mark, if given) must be text.")
            result = await asyncio.to_thread(quiz.answer, check_, answer, mark)
        except QuizError as exc:
            raise BadRequest(str(exc)) from None
        return JSONResponse(result.to_dict())

    def widget_list(request: Request):
        from ..widgets import list_widgets

        return JSONResponse(list_widgets())

    async def widget(request: Request):
        from ..widgets import WidgetError, get

        data = await _json_body(request)
        try:
            chosen = get(request.path_params["name"])
            kwargs = widget_kwargs(chosen, data.get("params", {}))
            if chosen.stream is not None:   # a training run: its own generator, so no RNG lock to hold for seconds
                result = await asyncio.to_thread(chosen.run, **kwargs)
            else:
                result = await asyncio.to_thread(reader.in_process, chosen.run, **kwargs)
        except WidgetError as exc:
            raise BadRequest(str(exc)) from None
        return JSONResponse(result)

    async def widget_stream(request: Request):
        """A streaming widget (a training run) as newline-delimited JSON: one snapshot per line,
        each the whole result so far, the last with ``done: true``; a refusal arrives as a 400
        before any line. The run trains in its own thread, outside the RNG lock (a streaming
        widget draws only from its own generator), so pages, checks and other widgets stay quick;
        it stops when the page goes away or the server shuts down."""
        from ..widgets import WidgetError, get

        data = await _json_body(request)
        try:
            chosen = get(request.path_params["name"])
            kwargs = widget_kwargs(chosen, data.get("params", {}))
            snapshots = await asyncio.to_thread(chosen.run_stream, **kwargs)   # checks the parameters, loads data
        except WidgetError as exc:
            raise BadRequest(str(exc)) from None
        return StreamingResponse(_follow(snapshots, reader), media_type="application/x-ndjson",
                                 headers={"cache-control": "no-store", "x-accel-buffering": "no"})

    def progress_json(request: Request):
        return JSONResponse(ws.progress())

    async def bad_request(request: Request, exc: BadRequest):
        return _error(request, exc.status, str(exc))

    async def workspace_error(request: Request, exc: WorkspaceError):
        return _error(request, 400, str(exc))

    async def http_error(request: Request, exc: HTTPException):
        text = "There is no such page." if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, text)

    async def internal_error(request: Request, exc: Exception):
        where = _log_crash(exc)
        return _error(request, 500, f"torchtutor hit an internal error ({type(exc).__name__}). {where}")

    routes = [
        Route("/", index), Route("/lesson/{slug}", lesson), Route("/lesson/{slug}/figures/{name}", figure),
        Route("/progress", progress),
        Route("/static/pygments.css", pygments_css),
        Route("/api/events", events),
        Route("/api/exercise/{lesson}/{exercise}/file", read_file, methods=["GET"]),
        Route("/api/exercise/{lesson}/{exercise}/file", write_file, methods=["PUT"]),
        Route("/api/exercise/{lesson}/{exercise}/check", check, methods=["POST"]),
        Route("/api/exercise/{lesson}/{exercise}/hint", hint, methods=["POST"]),
        Route("/api/exercise/{lesson}/{exercise}/solution", solution, methods=["POST"]),
        Route("/api/quiz/{lesson}/{check}", quiz_answer, methods=["POST"]),
        Route("/api/widgets", widget_list), Route("/api/widget/{name}", widget, methods=["POST"]),
        Route("/api/widget/{name}/stream", widget_stream, methods=["POST"]),
        Route("/api/progress", progress_json),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        reader.start(asyncio.get_running_loop())
        try:
            yield
        finally:
            reader.close()

    app = Starlette(debug=False, routes=routes, lifespan=lifespan,
                    exception_handlers={BadRequest: bad_request, WorkspaceError: workspace_error,
                                        HTTPException: http_error, Exception: internal_error})
    return Gate(app, token=token, port=port)


_PYGMENTS_CSS = pages.pygments_css()


async def _follow(snapshots, reader: "Reader"):
    """Lines of JSON from an iterator of snapshots that a daemon thread advances; the thread stops
    after its current stretch when the reader of the stream goes away or the server stops (the
    response itself ends at once then: :meth:`Hub.end_streams`)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    stop, server_stop = threading.Event(), reader.stop
    reader.hub.streams.add(queue)

    def put(item) -> None:
        with contextlib.suppress(RuntimeError):      # the loop is gone: the server has stopped
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def work() -> None:
        from ..widgets import WidgetError

        try:
            for snapshot in snapshots:
                if stop.is_set() or server_stop.is_set():
                    return
                put(json.dumps(snapshot, allow_nan=False) + "\n")
        except Exception as exc:  # noqa: BLE001 - a sentence for the page, the traceback to the crash log
            message = str(exc) if isinstance(exc, WidgetError) else \
                f"torchtutor hit an internal error ({type(exc).__name__}). {_log_crash(exc)}"
            put(json.dumps({"error": message}) + "\n")
        finally:
            put(None)

    threading.Thread(target=work, name="torchtutor-widget-stream", daemon=True).start()
    try:
        while (line := await queue.get()) is not None:
            yield line
    finally:
        stop.set()
        reader.hub.streams.discard(queue)


def _error(request: Request, status: int, text: str):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": text}, status_code=status)
    return HTMLResponse(pages.message_page("Not here" if status == 404 else "Something went wrong", text),
                        status_code=status)


def _log_crash(exc: BaseException) -> str:
    """Write the traceback to the crash log (never to the page); returns a sentence saying where."""
    log_path = Path.home() / ".cache" / "torchtutor" / "crash.log"
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as fh:
            fh.write("".join(traceback.format_exception(exc)) + "\n")
        return f"The details are in {log_path}."
    except OSError:
        return ""

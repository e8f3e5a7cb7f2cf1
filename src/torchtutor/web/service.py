"""The server side of the warm local service (the client is :mod:`torchtutor.service`).

A thread accepts connections on a Unix socket (mode 0600, in a 0700 folder) and
answers ``check``, ``hint`` and ``quiz`` with the server's workspace and warm runner,
rendering the same text the CLI prints (``render``), so the output is identical
whichever process did the work. ``evaluate`` runs one predict check's code in the warm
runner and answers its value and printed output: the interactive ``torchtutor quiz``
asks it, then grades and records in its own process.
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import threading
from typing import Callable

from .. import render
from ..service import read_registry, registry_path, socket_path
from ..workspace import Workspace, WorkspaceError

log = logging.getLogger("torchtutor.web")


class ServiceServer:
    def __init__(self, ws: Workspace, *, check: Callable, url: str, evaluate: Callable | None = None):
        self.ws = ws
        self.check = check          # (lesson, exercise) -> the published payload; records and broadcasts
        self.evaluate = evaluate    # (lesson, check) -> (value, output): a predict check's code, in the runner
        self.url = url
        self.path = socket_path(ws.root)
        self.sock: socket.socket | None = None
        self.thread: threading.Thread | None = None
        self.stopping = False

    # ----- lifetime ---------------------------------------------------------------------
    def start(self) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self.path.exists():
                self._remove_stale()
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            old = os.umask(0o177)
            try:
                sock.bind(str(self.path))
            finally:
                os.umask(old)
            sock.listen(16)
        except OSError as exc:  # the service is an optimisation: the reader works without it
            log.warning("the local service is off (%s); CLI commands will start their own runner", exc)
            return
        self.sock = sock
        registry = registry_path(self.ws.root)
        data = json.dumps({"socket": str(self.path), "pid": os.getpid(), "url": self.url})
        fd = os.open(registry, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        self.thread = threading.Thread(target=self._accept, name="torchtutor-service", daemon=True)
        self.thread.start()

    def _remove_stale(self) -> None:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(0.3)
            probe.connect(str(self.path))
        except OSError:
            self.path.unlink(missing_ok=True)  # nobody listens: left by a server that was killed
            return
        finally:
            probe.close()
        raise OSError(f"another torchtutor server already serves {self.ws.root}")

    def close(self) -> None:
        self.stopping = True
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.path.unlink(missing_ok=True)
            info = read_registry(self.ws.root)
            if info and info.get("pid") == os.getpid():
                registry_path(self.ws.root).unlink(missing_ok=True)
            self.sock = None

    # ----- requests ---------------------------------------------------------------------
    def _accept(self) -> None:
        while not self.stopping and self.sock is not None:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve_one, args=(conn,), daemon=True).start()

    def _serve_one(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(10)
                buffer = bytearray()
                while not buffer.endswith(b"\n") and len(buffer) < 1_000_000:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer.extend(chunk)
                message = json.loads(buffer.decode("utf-8"))
                reply = self.handle(message)
            except (OSError, ValueError) as exc:
                reply = {"exit": 2, "stdout": "", "stderr": f"Error: the request to the server was malformed ({exc}).\n"}
            except Exception as exc:  # noqa: BLE001 - answer, never leave the client hanging
                log.exception("service request failed")
                reply = {"exit": 3, "stdout": "", "stderr": f"torchtutor hit an internal error: {type(exc).__name__}: {exc}.\n"}
            try:
                conn.sendall((json.dumps(reply) + "\n").encode("utf-8"))
            except OSError:
                pass

    def handle(self, message: dict) -> dict:
        from rich.console import Console

        op, args = message.get("op"), message.get("args") or {}
        out = io.StringIO()
        console = Console(file=out, width=int(message.get("width") or 100), force_terminal=bool(message.get("color")),
                          color_system="standard" if message.get("color") else None, highlight=False)
        try:
            if op == "ping":
                return {"exit": 0, "stdout": "", "url": self.url, "pid": os.getpid()}
            if op == "check":
                return self._check(args, console, out)
            if op == "hint":
                lesson, ex = self.ws.resolve(args.get("key"))
                render.hint(console, self.ws.full_id(lesson, ex), self.ws.hint(lesson, ex))
                return {"exit": 0, "stdout": out.getvalue()}
            if op == "quiz":
                return self._quiz(args, console, out)
            if op == "evaluate":
                return self._evaluate(args)
        except WorkspaceError as exc:
            return {"exit": 2, "stdout": "", "stderr": f"Error: {exc}\n"}
        return {"exit": 2, "stdout": "", "stderr": f"Error: the server does not answer {op!r}.\n"}

    def _check(self, args: dict, console, out: io.StringIO) -> dict:
        lesson, ex = self.ws.resolve(args.get("key"))
        payload = self.check(lesson, ex)
        verdict = payload["verdict"]
        if args.get("json"):
            plain = {k: v for k, v in verdict.items() if k != "why"}
            text = json.dumps(plain, indent=2, default=str) + "\n"
        else:
            from ..checks.verdict import Verdict

            render.verdict(console, Verdict.from_dict(verdict))
            text = out.getvalue()
        return {"exit": 0 if verdict["passed"] else 1, "stdout": text}

    def _quiz(self, args: dict, console, out: io.StringIO) -> dict:
        from ..workspace.quiz import QuizError, open_quiz

        try:
            quiz = open_quiz(args.get("key"), self.ws.root, course=self.ws.course, check_id=args.get("check"),
                             evaluate=self.evaluate)
            try:
                result = quiz.answer(quiz.check(args["check"]), args.get("answer", ""), args.get("mark")).to_dict()
            finally:
                if quiz.store is not None:
                    quiz.store.close()
        except QuizError as exc:
            return {"exit": 2, "stdout": "", "stderr": f"Error: {exc}\n"}
        if args.get("json"):
            return {"exit": 0, "stdout": json.dumps(result, indent=2, default=str) + "\n"}
        render.quiz_result(console, result)
        return {"exit": 0, "stdout": out.getvalue()}


    def _evaluate(self, args: dict) -> dict:
        """``{"lesson": SLUG, "check": ID}`` -> ``{"exit": 0, "value": ..., "output": ...}``; a failing
        check code -> exit 2 with CheckCodeError's paragraph (``kind: check-code``)."""
        from ..curriculum.evaluate import CheckCodeError, run_check_code
        from ..workspace.quiz import QuizError, find_lesson, Quiz

        try:
            lesson = find_lesson(self.ws.course, str(args.get("lesson") or ""))
            check = Quiz(self.ws.course, lesson).check(str(args.get("check") or ""))
        except QuizError as exc:
            return {"exit": 2, "stdout": "", "stderr": f"Error: {exc}\n"}
        if check.kind != "predict":
            return {"exit": 2, "stdout": "",
                    "stderr": f"Error: check {lesson.slug}/{check.id} is not a predict check.\n"}
        try:
            value, output = (self.evaluate or run_check_code)(lesson, check)
        except CheckCodeError as exc:
            return {"exit": 2, "stdout": "", "stderr": f"Error: {exc}\n", "kind": "check-code", "message": str(exc)}
        return {"exit": 0, "stdout": "", "value": list(value) if isinstance(value, tuple) else value, "output": output}

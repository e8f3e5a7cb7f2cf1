"""Running learner code: a warm worker that forks one child per check.

Starting Python and importing torch costs well over a second, far too slow for a
verdict on every save. :class:`Runner` keeps one worker process
(``python -m torchtutor.runner.worker``) that has already imported torch, numpy,
torch.nn and torch.optim; for each :class:`CheckRequest` the worker forks a child
that runs the check target, while the worker enforces a timeout, an output cap, a
memory limit (summed over the child's process family) and a process-count limit,
and afterwards kills everything the check started. Whatever the learner's code does
(loops forever, eats memory, segfaults, exits, floods output, forks in a loop) the
answer is a failed :class:`~torchtutor.checks.verdict.Verdict` that says so in plain
words, and the worker stays healthy for the next check.

    with Runner() as runner:
        verdict = runner.run(CheckRequest("tensors/create", "ex.py", "checker.py"))

The check target is called in the child as ``target(exercise_id, learner_file,
checker_file)`` and returns a Verdict; by default it is the check harness.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import select
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torchtutor.checks.verdict import Verdict

__all__ = ["CheckRequest", "Runner", "run_once", "DEFAULT_TARGET", "STOPPED", "WorkerError"]

DEFAULT_TARGET = "torchtutor.checks.harness:run_exercise"

STARTUP_TIMEOUT = 120.0  # seconds for a worker to import torch (a cold disk is slow)
REPLY_GRACE = 15.0  # seconds beyond the check's timeout before the worker counts as hung
STOP_GRACE = 0.5  # seconds a worker told to stop (SIGTERM) gets before SIGKILL
_SRC_DIR = str(Path(__file__).resolve().parents[2])  # the folder that holds torchtutor/


@dataclass
class CheckRequest:
    """One check of one exercise.

    exercise_id   e.g. ``tensors/create-tensors``; copied into the verdict
    learner_file  the learner's exercise file
    checker_file  the checker for it (passed to the target)
    timeout       seconds the check may run
    output_cap    bytes of stdout+stderr kept; printing more is an "output flood"
    memory_mb     memory limit, summed over every process the check starts
    seed          seed for ``random``, ``numpy`` and ``torch`` in the child
    target        ``"module:function"`` that performs the check in the child
    """

    exercise_id: str
    learner_file: str
    checker_file: str
    timeout: float = 10.0
    output_cap: int = 64_000
    memory_mb: int = 2048
    seed: int = 0
    target: str = DEFAULT_TARGET

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"timeout must be positive, not {self.timeout!r}")
        if not self.output_cap > 0:
            raise ValueError(f"output_cap must be positive, not {self.output_cap!r}")
        if not self.memory_mb > 0:
            raise ValueError(f"memory_mb must be positive, not {self.memory_mb!r}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "CheckRequest":
        """Build a request from its dict form; raises TypeError/ValueError if malformed."""
        if not isinstance(data, dict):
            raise TypeError("a check request must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class WorkerError(Exception):
    """The worker could not be started, died, or stopped answering."""


class WorkerHung(WorkerError):
    """The worker is alive but did not answer within its deadline."""


class _WorkerProcess:
    """One running worker and the pipes to it (used under the Runner's lock)."""

    def __init__(self, python: str, spawned: Any = None, wake_fd: int = -1) -> None:
        self.wake_fd = wake_fd  # readable when the Runner is closed: stop waiting for the worker
        self.log = tempfile.TemporaryFile(prefix="torchtutor-worker-", suffix=".log")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_SRC_DIR, env.get("PYTHONPATH")) if p)
        env["TORCHTUTOR_RUNNER_PID"] = str(os.getpid())  # the worker exits when this process does
        try:
            self.proc = subprocess.Popen(
                [python, "-m", "torchtutor.runner.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                env=env,
                close_fds=True,
                bufsize=0,
            )
        except OSError as exc:
            self.log.close()
            raise WorkerError(f"could not start {python}: {exc}") from exc
        if spawned is not None:
            spawned(self.proc)  # so that a close() while torch is imported can stop it
        self._buffer = bytearray()
        try:
            hello = self._read_message(time.monotonic() + STARTUP_TIMEOUT)
        except WorkerError:
            self.kill()
            raise
        if hello.get("type") != "ready":
            self.kill()
            raise WorkerError(f"unexpected first message from the worker: {hello!r}")
        self.pid: int = int(hello.get("pid") or self.proc.pid)
        self.info = hello

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, limit: int = 2000) -> str:
        try:
            self.log.seek(0, os.SEEK_END)
            size = self.log.tell()
            self.log.seek(max(0, size - limit))
            return self.log.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    def _read_message(self, deadline: float, reply_to: str | None = None) -> dict[str, Any]:
        """The next message, or with ``reply_to`` the answer that carries that request id:
        any other line is skipped (something other than the worker wrote into the pipe, e.g.
        learner code through /proc/<worker>/fd as root; it cannot know the id)."""
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                if not line.strip():
                    continue
                try:
                    message = json.loads(line)
                except ValueError as exc:
                    if reply_to is not None:
                        continue
                    raise WorkerError(f"the worker sent malformed JSON: {exc}") from exc
                if not isinstance(message, dict):
                    if reply_to is not None:
                        continue
                    raise WorkerError("the worker sent something that is not a JSON object")
                if reply_to is not None and message.get("id") != reply_to:
                    continue
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerHung("the worker did not answer in time")
            watched = [fd] + ([self.wake_fd] if self.wake_fd >= 0 else [])
            ready, _, _ = select.select(watched, [], [], remaining)
            if self.wake_fd in ready:
                raise WorkerError("the Runner was closed")
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                self.proc.wait(timeout=5)
                raise WorkerError(f"the worker exited (status {self.proc.returncode})")
            self._buffer.extend(chunk)

    def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send ``message`` with a fresh random id and return the answer that carries it.

        The id is made after every check child now alive was forked, so no learner code holds
        it. Each line is sent on a line of its own, so that bytes someone else wrote into the
        worker's input cannot run into it."""
        request_id = secrets.token_hex(16)
        data = ("\n" + json.dumps({**message, "id": request_id}) + "\n").encode("utf-8")
        try:
            self.proc.stdin.write(data)  # type: ignore[union-attr]
        except (BrokenPipeError, OSError) as exc:
            raise WorkerError(f"the worker is gone ({exc})") from exc
        return self._read_message(time.monotonic() + timeout, reply_to=request_id)

    def terminate(self) -> None:
        """Ask the worker to stop now: on SIGTERM it kills the check it is running and everything
        that check started, then exits (tens of milliseconds). Safe from any thread: it only
        signals, so a thread reading the worker's answer sees the end of its output."""
        try:
            self.proc.terminate()
        except OSError:
            pass

    def close(self, wait: float = STOP_GRACE) -> None:
        """Stop the worker, idle or in the middle of a check, within about ``wait`` seconds."""
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        self.kill(wait)

    def kill(self, wait: float = STOP_GRACE) -> None:
        """SIGTERM (the worker cleans up after its check), then SIGKILL if it is not gone in ``wait`` s."""
        self.terminate()
        try:
            self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            try:
                self.proc.kill()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._release()

    def _release(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            self.log.close()
        except OSError:
            pass


STOPPED = "stopped"  # failure tag of a check cut short because the Runner was closed (not an attempt)


def _stopped(req: CheckRequest) -> Verdict:
    return Verdict(id=req.exercise_id, passed=False, failure=STOPPED,
                   summary="torchtutor stopped this check because it is shutting down; save again to check it.")


def _runner_error(req: CheckRequest, summary: str, detail: str = "") -> Verdict:
    details = [detail] if detail else []
    details.append("This is a problem in torchtutor, not in your code.")
    return Verdict(id=req.exercise_id, passed=False, summary=summary, details=details, failure="runner-error")


class Runner:
    """Runs checks in a warm worker. A context manager; :meth:`run` is thread-safe.

    The worker starts on the first :meth:`run` (or :meth:`start`), and is restarted
    transparently if it has died. Checks run one at a time per Runner.
    """

    def __init__(self, *, python: str | None = None) -> None:
        self.python = python or sys.executable
        self._lock = threading.Lock()
        self._worker: _WorkerProcess | None = None
        self._spawning: subprocess.Popen | None = None  # a worker that is still importing torch
        self._closed = False
        self._wake_r, self._wake_w = os.pipe()  # close() writes here to interrupt a check in flight

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def worker_pid(self) -> int | None:
        """The pid of the current worker, or None when none is running."""
        worker = self._worker
        return worker.pid if worker is not None and worker.alive() else None

    def start(self) -> None:
        """Start the worker now (so that the first check is fast). Raises WorkerError."""
        with self._lock:
            self._ensure_worker()

    def _ensure_worker(self) -> _WorkerProcess:
        if self._closed:
            raise WorkerError("this Runner has been closed")
        if self._worker is not None and not self._worker.alive():
            self._worker.kill()
            self._worker = None
        if self._worker is None:
            try:
                self._worker = _WorkerProcess(self.python, spawned=lambda proc: setattr(self, "_spawning", proc),
                                              wake_fd=self._wake_r)
            finally:
                self._spawning = None
        return self._worker

    def _discard_worker(self) -> str:
        worker, self._worker = self._worker, None
        if worker is None:
            return ""
        tail = worker.log_tail()
        worker.kill()
        return tail

    def run(self, req: CheckRequest) -> Verdict:
        """Check one exercise and return the verdict. Never raises for learner code.

        If the worker is dead it is restarted; if it dies during the check, the check
        is tried once more in a fresh worker before a failed verdict is returned.
        """
        req = dataclasses.replace(
            req,
            learner_file=os.path.abspath(req.learner_file),
            checker_file=os.path.abspath(req.checker_file) if req.checker_file else req.checker_file,
        )
        message = {"op": "check", "request": req.to_dict()}
        with self._lock:
            problem = ""
            for _attempt in range(2):
                try:
                    worker = self._ensure_worker()
                except WorkerError as exc:
                    if self._closed:
                        return _stopped(req)
                    return _runner_error(req, f"torchtutor could not start its checking process: {exc}.")
                try:
                    reply = worker.request(message, req.timeout + REPLY_GRACE)
                except WorkerHung as exc:
                    self._discard_worker()
                    return _runner_error(
                        req, "torchtutor's checking process stopped answering while it ran your code.", str(exc)
                    )
                except WorkerError as exc:
                    if self._closed:  # close() told the worker to stop (it kills the check itself)
                        worker, self._worker = self._worker, None
                        if worker is not None:
                            worker.terminate()
                        return _stopped(req)
                    tail = self._discard_worker()
                    problem = str(exc) + (f"; its log ends: {tail[-500:]}" if tail else "")
                    continue
                if reply.get("type") == "verdict" and isinstance(reply.get("verdict"), dict):
                    try:
                        return Verdict.from_dict(reply["verdict"])
                    except TypeError as exc:
                        return _runner_error(req, f"torchtutor received a verdict it cannot read ({exc}).")
                return _runner_error(req, "torchtutor's checking process gave an unexpected answer.", str(reply)[:500])
            return _runner_error(
                req,
                "torchtutor's checking process stopped unexpectedly while running your code "
                "(it may have run out of memory); try saving again.",
                problem,
            )

    def evaluate(self, where: str, code: str, kind: str, *, timeout: float = 10.0) -> tuple[Any, str]:
        """Evaluate a predict check's code (``where`` is ``LESSON/CHECK``) in a sandboxed child,
        exactly as :func:`torchtutor.curriculum.evaluate.evaluate_code` would in this process:
        returns ``(value, printed output)`` with the value normalised for ``kind`` (a shape as a
        tuple). Any failure, including running past ``timeout`` seconds, is raised as
        :class:`~torchtutor.curriculum.evaluate.CheckCodeError`: one paragraph, a bug in the course."""
        from torchtutor.curriculum.evaluate import CheckCodeError

        from .outcomes import TIMEOUT
        from .predict import CHECK_CODE, TARGET

        fd, spec = tempfile.mkstemp(prefix="torchtutor-predict-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"where": where, "code": code, "kind": kind}, fh)
            verdict = self.run(CheckRequest(where, spec, "", timeout=timeout, target=TARGET))
        finally:
            os.unlink(spec)
        if verdict.passed and len(verdict.details) == 2:
            value = json.loads(verdict.details[0])
            return (tuple(value) if kind == "shape" else value), verdict.details[1]
        if verdict.failure == CHECK_CODE:
            raise CheckCodeError(verdict.summary)
        if verdict.failure == TIMEOUT:
            raise CheckCodeError(f"The code of check {where} ran for more than {timeout:g} s without finishing, so it "
                                 "was stopped. This is a bug in the course, not in your answer; please report it.")
        if verdict.failure == STOPPED:
            raise CheckCodeError(f"torchtutor stopped while it ran the code of check {where}, because it is shutting "
                                 "down; answer again once it runs.")
        reason = verdict.summary.rstrip(".")
        raise CheckCodeError(f"The code of check {where} gave no answer in torchtutor's runner ({reason}). This is a "
                             "bug in the course or in torchtutor, not in your answer; please report it.")

    def close(self) -> None:
        """Stop the worker, even in the middle of a check; the Runner cannot be used afterwards.

        Safe to call from any thread while another runs a check (a server stopping on Ctrl+C):
        then the worker is told to stop at once, and that check returns a failed verdict
        (torchtutor stopped) instead of running on to its end.
        """
        self._closed = True
        if not self._lock.acquire(blocking=False):
            # A check (or the start) is under way in another thread: tell the worker to stop;
            # that thread sees it end, reaps it and returns a "stopped" verdict.
            worker, spawning = self._worker, self._spawning
            if worker is not None:
                worker.terminate()
            if spawning is not None:
                spawning.terminate()
            try:
                os.write(self._wake_w, b"x")
            except OSError:
                pass
            return
        try:
            worker, self._worker = self._worker, None
            if worker is not None:
                worker.close()
            self._close_wake()
        finally:
            self._lock.release()

    def _close_wake(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._wake_r = self._wake_w = -1

    def __del__(self) -> None:
        worker = getattr(self, "_worker", None)
        try:
            if worker is not None:
                worker.close()
            if hasattr(self, "_wake_r"):
                self._close_wake()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def run_once(req: CheckRequest, *, python: str | None = None) -> Verdict:
    """Start a worker, run one check, stop the worker (slow: for one-off use)."""
    with Runner(python=python) as runner:
        return runner.run(req)

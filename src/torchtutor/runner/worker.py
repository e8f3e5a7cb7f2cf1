"""The warm worker: ``python -m torchtutor.runner.worker``.

It imports torch (and numpy, torch.nn, torch.optim, ...) once, then answers check
requests with one forked child per check (see :mod:`torchtutor.runner.child`),
supervising it: timeout, output cap, memory watchdog over the child's whole process
family, process-count limit, and afterwards the killing and reaping of every process
the check left behind.

The child for the next check is forked as soon as a verdict has been sent (a
*spare*), and waits for its request; waiting for the last child's exit is also done
then. Both cost tens of milliseconds for a process that has imported torch, and this
way neither is on the learner's clock when saves are a moment apart.

Protocol: JSON lines. The worker moves its stdin and stdout to private fds at start
and points fds 0 and 1 at ``/dev/null`` and stderr, so nothing but protocol lines can
reach the pipe the Runner reads.

* worker -> runner, once at start: ``{"type": "ready", "pid": ..., "torch": ...}``
* runner -> worker: ``{"op": "check", "request": {CheckRequest fields}, "id": ...}``;
  answer ``{"type": "verdict", "verdict": {Verdict fields}, "id": ...}``
* runner -> worker: ``{"op": "ping", "id": ...}``; answer ``{"type": "pong", "pid": ..., "id": ...}``
* every request carries a random ``id`` that its answer repeats; the Runner skips any line
  without it (nothing a check's code writes into these pipes can pass for an answer)
* end of input: the worker exits.

Lifetime: the worker never outlives the process that started it. A thread watches the
parent through a pidfd (``procs.watch_parent``, started before torch is imported), and on
SIGTERM (what :meth:`Runner.close` sends, also mid-check) the worker kills the check child,
everything that child started and the spare, then exits. ``PR_SET_PDEATHSIG`` is not used for
the worker itself: it fires when the parent *thread* ends, and the web reader starts its
runner from a short-lived thread. Each check child has it (its parent thread is the worker's
main thread), so a worker killed outright takes its running check with it.

The worker never runs a torch operation itself: a parent that has started torch's
OpenMP thread pool forks children that hang on their first parallel operation.
"""

from __future__ import annotations

import gc
import importlib
import json
import math
import os
import secrets
import select
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from typing import Any

from torchtutor.checks.verdict import Verdict
from torchtutor.runner import CheckRequest, procs
from torchtutor.runner.child import CHILD_FAILED, run_child
from torchtutor.runner.outcomes import (
    STOP_MEMORY,
    STOP_OUTPUT,
    STOP_PROCESSES,
    STOP_TIMEOUT,
    Ending,
    runner_error,
    verdict_for,
)

# Imported once, before any fork, so that a check does not pay for them.
PRELOAD = (
    "numpy",
    "numpy.random",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.optim",
    # The first optimizer.step() in a process imports torch._dynamo (about 2 s);
    # importing it here keeps that off every training exercise's verdict.
    "torch._dynamo",
    "torch.utils.data",
    "multiprocessing.util",
    # The checks API and the mistake catalogue it translates exceptions with.
    "torchtutor.checks.harness",
    "torchtutor.diagnose",
    "torchtutor.diagnose.probe",
    # Predict checks of lessons (the quiz in the web reader and through the local service).
    "torchtutor.runner.predict",
)

TICK = 0.02  # seconds between looks at a running check (child exit wakes us at once)
FALLBACK_TICK = 0.005  # without pidfd_open, child exit is only noticed by polling
MAX_PROCESSES = 32  # processes a check may have at once (zombies included); a fork
# loop is caught sooner, and killing each copy of a torch process costs tens of ms
PRECISE_MEMORY_EVERY = 0.25  # seconds between the costly proportional measurements
STRAY_GRACE = 0.05  # seconds a leftover process gets to finish on its own
WHERE_WAIT = 0.2  # seconds to wait for faulthandler's dump before killing
MAX_PAYLOAD = 16 * 1024 * 1024


def _log(message: str) -> None:
    try:
        sys.stderr.write(f"torchtutor worker {os.getpid()}: {message}\n")
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - logging must never take the worker down
        pass


class MemoryWatch:
    """Decides whether a check's processes hold more memory than allowed.

    The cheap estimate, read from ``/proc/<pid>/status`` on every tick, is each
    process's anonymous plus shared-memory RSS minus the worker's at fork time (a
    forked child starts out sharing all of the worker's pages, torch included), summed
    over the family. It counts memory shared between the check's own processes once
    per process, so when it trips for more than one process, the proportional set
    sizes (exact, but milliseconds each) confirm it.
    """

    def __init__(self, worker_pid: int) -> None:
        self.worker_pid = worker_pid
        self.base_anon, self.base_shmem = procs.anon_memory_kb(worker_pid)
        self._last_precise = -math.inf
        self._last_answer = False

    def exceeded(self, family: list[int], limit_mb: int) -> bool:
        """True when ``family`` (pids) holds more than ``limit_mb`` MiB."""
        limit_kb = limit_mb * 1024
        live = [p for p in family if procs.is_alive(p)]
        cheap = 0
        for p in live:
            anon, shmem = procs.anon_memory_kb(p)
            cheap += max(0, anon - self.base_anon) + max(0, shmem - self.base_shmem)
        if cheap <= limit_kb:
            return False
        if len(live) <= 1:
            return True
        now = time.monotonic()
        if now - self._last_precise >= PRECISE_MEMORY_EVERY:
            self._last_precise = now
            total = sum(procs.proportional_memory_kb(p) for p in live)
            total += procs.proportional_memory_kb(self.worker_pid)
            self._last_answer = total - (self.base_anon + self.base_shmem) > limit_kb
        return self._last_answer


def _anonymous_file(name: str) -> int:
    """An fd for a nameless file in memory (memfd), or an unlinked temp file."""
    try:
        return os.memfd_create(name)
    except (AttributeError, OSError):
        with tempfile.TemporaryFile(prefix=name + "-") as fh:  # unlinked at once
            return os.dup(fh.fileno())


def _has_token_line(payload: bytearray, token: str) -> bool:
    """True once a whole line carrying ``token`` has arrived (the child exits right after it)."""
    at = payload.find(token.encode("ascii"))
    return at >= 0 and payload.find(b"\n", at) >= 0


def _drain(fd: int, into: bytearray) -> bool:
    """Read what is available from a non-blocking pipe. False at end of file."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not chunk:
            return False
        if len(into) < MAX_PAYLOAD:
            into.extend(chunk)


@dataclass
class Spare:
    """A forked child waiting for its request, and the worker's ends of its fds."""

    pid: int
    request_w: int  # the request goes here, then end of file
    result_r: int  # the child's one-line JSON payload comes back here
    capture: int  # memfd: the child's stdout and stderr
    faults: int  # memfd: faulthandler's dumps
    watch: MemoryWatch  # memory baseline taken when the child was forked

    def close(self) -> None:
        for name in ("request_w", "result_r", "capture", "faults"):
            fd = getattr(self, name)
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, name, -1)


class Worker:
    """Serves check requests on a pair of protocol fds."""

    def __init__(self, in_fd: int, out_fd: int, *, subreaper: bool) -> None:
        self.in_fd = in_fd
        self.out_fd = out_fd
        self.subreaper = subreaper
        self.pid = os.getpid()
        self._buffer = bytearray()
        self._spare: Spare | None = None
        self._pending_group: int | None = None  # a reported check whose exit we owe a wait
        self._current: int | None = None  # the child running a check right now

    def groups(self) -> tuple[int, ...]:
        """The process groups of every check child the worker knows of (each is a session leader)."""
        spare = self._spare
        known = (spare.pid if spare is not None else None, self._current, self._pending_group)
        return tuple(p for p in known if p is not None)

    # -- protocol -----------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, default=str) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(self.out_fd, view) :]

    def _read_line(self) -> bytes | None:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line
            chunk = os.read(self.in_fd, 65536)
            if not chunk:
                return None
            self._buffer.extend(chunk)

    def serve(self) -> None:
        """Answer requests until the Runner closes our input."""
        while True:
            line = self._read_line()
            if line is None:
                return
            if not line.strip():
                continue
            try:
                message = json.loads(line)
                op = message.get("op")
            except (ValueError, AttributeError):
                self.send({"type": "error", "message": "malformed request line"})
                continue
            reply_to = message.get("id")  # the Runner's request id, echoed so it knows the answer
            if op == "check":
                verdict = self.safe_check(message.get("request")).to_dict()
                self.send({"type": "verdict", "verdict": verdict, "id": reply_to})
                self.prepare_next()
            elif op == "ping":
                self.send({"type": "pong", "pid": self.pid, "id": reply_to})
            elif op == "quit":
                return
            else:
                self.send({"type": "error", "message": f"unknown op {op!r}", "id": reply_to})

    # -- checks -------------------------------------------------------------------

    def safe_check(self, fields: Any) -> Verdict:
        """:meth:`check`, turning any failure of the worker itself into a verdict."""
        try:
            req = CheckRequest.from_dict(fields)
        except (TypeError, ValueError) as exc:
            exercise_id = fields.get("exercise_id", "?") if isinstance(fields, dict) else "?"
            stand_in = CheckRequest(exercise_id=str(exercise_id), learner_file="", checker_file="")
            return runner_error(stand_in, f"The check request was malformed ({exc}).")
        try:
            return self.check(req)
        except Exception as exc:  # noqa: BLE001 - the worker must survive its own bugs
            _log("check failed:\n" + traceback.format_exc())
            self._discard_spare()
            return runner_error(req, f"torchtutor's worker failed while checking ({type(exc).__name__}: {exc}).")

    def prepare_next(self) -> None:
        """Between checks: finish cleaning up after the last one, fork the next child.

        Called after a verdict has been sent, so this work (waiting for the last
        child's exit, killing what it left, forking) is off the learner's clock.
        """
        try:
            if self._pending_group is not None:
                pgid, self._pending_group = self._pending_group, None
                if not procs.kill_everything(pgid, self.pid, subreaper=self.subreaper):
                    _log(f"processes of check group {pgid} survived SIGKILL")
            if self._spare is None:
                self._spare = self._fork_spare()
        except Exception:  # noqa: BLE001 - the next check will try again
            _log("preparing the next check failed:\n" + traceback.format_exc())

    def _fork_spare(self) -> Spare:
        """Fork a child that sets itself up and then waits for its request."""
        request_r, request_w = os.pipe()
        result_r, result_w = os.pipe()
        capture = _anonymous_file("torchtutor-output")
        faults = _anonymous_file("torchtutor-faults")
        watch = MemoryWatch(self.pid)
        pid = os.fork()
        if pid == 0:
            try:
                run_child(
                    request_fd=request_r,
                    capture_fd=capture,
                    fault_fd=faults,
                    result_fd=result_w,
                    close_fds=[request_w, result_r, self.in_fd, self.out_fd],
                    worker_pid=self.pid,
                )
            finally:
                os._exit(CHILD_FAILED)
        os.close(request_r)
        os.close(result_w)
        return Spare(pid, request_w, result_r, capture, faults, watch)

    def _discard_spare(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.close()
            procs.kill_everything(spare.pid, self.pid, subreaper=self.subreaper)

    def shutdown(self) -> None:
        """Kill the spare child and whatever the last check left."""
        self._discard_spare()
        if self._pending_group is not None:
            procs.kill_everything(self._pending_group, self.pid, subreaper=self.subreaper)
            self._pending_group = None

    def check(self, req: CheckRequest) -> Verdict:
        """Hand ``req`` to the spare child, supervise it, and write the verdict."""
        self.prepare_next()
        spare, self._spare = self._spare, None
        if spare is not None and os.waitpid(spare.pid, os.WNOHANG)[0]:
            # The spare died while it waited (killed from outside): not the learner's doing.
            spare.close()
            spare = None
        if spare is None:
            spare = self._fork_spare()
        try:
            started = time.monotonic()
            token = secrets.token_hex(16)  # the payload must carry it: lines without it are forgeries
            data = memoryview(json.dumps({"request": req.to_dict(), "token": token}).encode("utf-8"))
            try:
                while data:
                    data = data[os.write(spare.request_w, data) :]
            except BrokenPipeError:
                pass  # the child died already; supervision reports how
            os.close(spare.request_w)
            spare.request_w = -1
            self._current = spare.pid
            ending = self._supervise(req, spare, started, token)
            return verdict_for(req, ending)
        finally:
            self._current = None
            spare.close()

    def _supervise(self, req: CheckRequest, spare: Spare, started: float, token: str) -> Ending:
        pid = spare.pid
        ending = Ending(process_limit=MAX_PROCESSES)
        payload = bytearray()
        os.set_blocking(spare.result_r, False)
        poller = select.poll()
        poller.register(spare.result_r, select.POLLIN)
        pidfd = -1
        try:
            pidfd = os.pidfd_open(pid)
            poller.register(pidfd, select.POLLIN)
        except (AttributeError, OSError):
            pidfd = -1
        tick = TICK if pidfd >= 0 else FALLBACK_TICK
        deadline = started + req.timeout
        reported = False  # the child sent its whole payload (it exits right after)
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    ending.stopped_for = STOP_TIMEOUT
                    break
                wait_ms = max(0, math.ceil(min(tick, deadline - now) * 1000))
                for fd, _ in poller.poll(wait_ms):
                    if fd == spare.result_r and not _drain(spare.result_r, payload):
                        poller.unregister(spare.result_r)
                if _has_token_line(payload, token):
                    reported = True
                    break
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    ending.wait_status = status
                    break
                if os.fstat(spare.capture).st_size > req.output_cap:
                    ending.stopped_for = STOP_OUTPUT
                    break
                family = procs.descendants(self.pid)
                if len(family) > MAX_PROCESSES:
                    ending.stopped_for = STOP_PROCESSES
                    break
                if spare.watch.exceeded(family, req.memory_mb):
                    ending.stopped_for = STOP_MEMORY
                    break
        finally:
            if pidfd >= 0:
                os.close(pidfd)
        ending.duration_ms = round((time.monotonic() - started) * 1000, 1)

        if ending.stopped_for is None:
            _drain(spare.result_r, payload)
            self._parse_payload(payload, ending, token)
            ending.leftovers = self._leftovers(pid, exiting=pid if reported else None)
        elif ending.stopped_for in (STOP_TIMEOUT, STOP_MEMORY, STOP_OUTPUT):
            self._ask_where(pid, spare.faults)

        if reported and not ending.leftovers:
            # The usual case: the child reported and is exiting; nothing else runs.
            # Waiting for its exit (tens of ms for a process that imported torch) is
            # left to prepare_next(), after the verdict has been sent.
            self._pending_group = pid
        else:
            ending.unkillable = not procs.kill_everything(pid, self.pid, subreaper=self.subreaper)
            if ending.unkillable:
                _log(f"processes of check group {pid} survived SIGKILL")
        ending.output_total = os.fstat(spare.capture).st_size
        ending.output = os.pread(spare.capture, req.output_cap, 0)
        ending.faults = os.pread(spare.faults, 256 * 1024, 0).decode("utf-8", "replace")
        return ending

    @staticmethod
    def _parse_payload(payload: bytearray, ending: Ending, token: str) -> None:
        """Find the child's payload: the line that carries this check's token. Every other
        line was written to the result pipe by the learner's code, and is counted, not read."""
        for line in bytes(payload).split(b"\n"):
            line = line.strip()
            if not line:
                continue
            if token.encode("ascii") not in line:
                ending.forged += 1
                continue
            try:
                data = json.loads(line)
            except ValueError as exc:
                ending.payload_error = f"malformed JSON: {exc}"
                return
            if isinstance(data, dict) and data.get("token") == token:
                ending.payload = data
                return
            ending.forged += 1

    def _live_family(self, pgid: int, exiting: int | None) -> list[int]:
        live = [p for p in procs.descendants(self.pid) if p != exiting and procs.is_alive(p)]
        if not self.subreaper:
            # Orphans went to init, not to us: find them by their process group.
            live += [
                p for p in procs.group_members(pgid, live_only=True) if p not in live and p != exiting
            ]
        return live

    def _leftovers(self, pgid: int, exiting: int | None) -> list[str]:
        """Command lines of processes still running once the check's child is done.

        ``exiting`` is the child itself when it has reported and is on its way out.
        """
        live = self._live_family(pgid, exiting)
        if not live:
            return []
        deadline = time.monotonic() + STRAY_GRACE
        while live and time.monotonic() < deadline:
            time.sleep(0.005)
            live = self._live_family(pgid, exiting)
        return [procs.command_line(p) for p in live]

    @staticmethod
    def _ask_where(pid: int, faults: int) -> None:
        """Have the child's faulthandler record where it is, before we kill it."""
        try:
            os.kill(pid, signal.SIGUSR1)
        except OSError:
            return
        deadline = time.monotonic() + WHERE_WAIT
        last = -1
        while time.monotonic() < deadline:
            size = os.fstat(faults).st_size
            if size > 0 and size == last:
                return
            last = size
            time.sleep(0.005)


def _preload() -> list[str]:
    failed = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a missing extra must not stop the worker
            failed.append(f"{name} ({type(exc).__name__}: {exc})")
    return failed


# The Runner puts its pid here, so that a worker whose parent died before it looked exits at once.
PARENT_ENV = "TORCHTUTOR_RUNNER_PID"
_current_worker: "Worker | None" = None


def _end(*_args: object) -> None:
    """Kill everything the worker started, at once, and exit: the front end that started us is
    gone (the parent watch) or wants us gone now (SIGTERM: Ctrl+C, or it is closing)."""
    worker = _current_worker
    try:
        procs.kill_tree(os.getpid(), worker.groups() if worker is not None else ())
    finally:
        os._exit(0)


def main() -> int:
    """Entry point of ``python -m torchtutor.runner.worker``."""
    global _current_worker
    in_fd = os.dup(0)
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # stray prints in the worker go to its log, never to the protocol
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the front end
    signal.signal(signal.SIGTERM, _end)
    try:
        parent = int(os.environ.pop(PARENT_ENV, "") or os.getppid())
    except ValueError:
        parent = os.getppid()
    procs.watch_parent(parent, _end)  # before the seconds of importing torch: a kill -9 then counts too

    failed = _preload()
    for item in failed:
        _log(f"could not preload {item}")
    subreaper = procs.set_child_subreaper()
    if not procs.set_dumpable(False):  # /proc/<worker>/fd closed to the check children
        _log("could not make the worker non-dumpable; its pipes are reachable through /proc")
    if not subreaper:
        _log("could not become a child subreaper; orphans are found by process group")
    # numpy's OpenBLAS starts a (fork-safe) thread pool at import; torch's OpenMP
    # pool must not exist yet. Reported for diagnosis.
    threads = len(os.listdir("/proc/self/task"))
    gc.collect()
    gc.freeze()  # children then do not touch (and copy) the preloaded objects' pages

    worker = _current_worker = Worker(in_fd, out_fd, subreaper=subreaper)
    torch = sys.modules.get("torch")
    try:
        worker.send(
            {
                "type": "ready",
                "pid": worker.pid,
                "python": sys.version.split()[0],
                "torch": getattr(torch, "__version__", None),
                "preload_failed": failed,
                "threads": threads,
            }
        )
        worker.prepare_next()
        worker.serve()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        worker.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

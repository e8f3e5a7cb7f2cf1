"""What happens inside the forked child that runs one check.

The worker forks, and the child calls :func:`run_child`, which never returns: it
ends the process with ``os._exit``. The child

1. leaves the worker's session (``setsid``), so that the worker can kill everything
   the learner's code starts with one ``killpg``; asks to be killed if the worker
   dies; offers itself first to the kernel's out-of-memory killer; then waits for
   its request (the worker forks it ahead of time, off the learner's clock);
2. points fds 0, 1 and 2 at ``/dev/null`` and the capture file (a memfd owned by
   the worker), so learner output can never reach the worker's protocol pipe;
3. arms ``faulthandler`` on a second memfd: a crash, or SIGUSR1 from the worker
   just before it stops a runaway check, records where the code was;
4. changes to the learner file's folder and puts it first on ``sys.path``, as
   ``python exercise.py`` would; seeds ``random``, ``numpy`` and ``torch``;
5. calls the target (``module:function``) with ``(exercise_id, learner_file,
   checker_file)`` and sends a one-line JSON *payload* back on the result pipe:
   the verdict, or what escaped the target (``SystemExit``, ``KeyboardInterrupt``,
   another error).

The worker turns the payload (or the lack of one) into the final ``Verdict``.
"""

from __future__ import annotations

import faulthandler
import importlib
import json
import os
import random
import signal
import sys
from types import TracebackType
from typing import Any, Callable, NoReturn

from torchtutor.runner import procs

# Exit status of a child that could not even set itself up or report (the worker
# reports it as a runner error, not as something the learner did).
CHILD_FAILED = 113


def resolve_target(target: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` (``"package.module.function"`` also works)."""
    if ":" in target:
        module_name, _, attr_path = target.partition(":")
    else:
        module_name, _, attr_path = target.rpartition(".")
    if not module_name or not attr_path:
        raise ValueError(f"target {target!r} is not of the form 'module:function'")
    obj: Any = importlib.import_module(module_name)
    for part in attr_path.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"target {target!r} is not callable")
    return obj


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def learner_line(tb: TracebackType | None, learner_file: str) -> int | None:
    """The innermost line of ``learner_file`` in a traceback, if it appears there."""
    line = None
    while tb is not None:
        if _same_file(tb.tb_frame.f_code.co_filename, learner_file):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _verdict_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    to_dict = getattr(result, "to_dict", None)
    if callable(to_dict):
        data = to_dict()
        if isinstance(data, dict):
            return data
    raise TypeError(f"the check target returned {type(result).__name__}, not a Verdict")


def _call_target(req: Any) -> dict[str, Any]:
    """Run the target and describe how it ended, as a JSON-able payload."""
    try:
        target = resolve_target(req.target)
    except Exception as exc:  # noqa: BLE001 - reported as a runner error
        return {"kind": "error", "stage": "load", "message": _describe(exc)}
    try:
        result = target(req.exercise_id, req.learner_file, req.checker_file)
    except SystemExit as exc:
        code = exc.code
        return {
            "kind": "exit",
            "code": code if code is None or isinstance(code, int) else repr(code),
            "line": learner_line(exc.__traceback__, req.learner_file),
        }
    except KeyboardInterrupt as exc:
        return {"kind": "interrupt", "line": learner_line(exc.__traceback__, req.learner_file)}
    except BaseException as exc:  # noqa: BLE001 - the target should catch these itself
        return {
            "kind": "error",
            "stage": "run",
            "message": _describe(exc),
            "line": learner_line(exc.__traceback__, req.learner_file),
        }
    try:
        return {"kind": "verdict", "verdict": _verdict_dict(result)}
    except Exception as exc:  # noqa: BLE001
        return {"kind": "error", "stage": "result", "message": _describe(exc)}


def _seed(seed: int) -> None:
    random.seed(seed)
    try:
        import numpy

        numpy.random.seed(seed % 2**32)
    except ImportError:
        pass
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass


def _redirect(capture_fd: int) -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(capture_fd, 1)
    os.dup2(capture_fd, 2)
    os.close(devnull)
    # Line-buffered text streams on the new fds: output printed before a crash or an
    # os._exit() still lands in the capture file.
    out = open(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    err = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stdout = sys.__stdout__ = out
    sys.stderr = sys.__stderr__ = err


def _flush_output() -> None:
    for stream in {id(s): s for s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)}.values():
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a learner may have replaced or closed it
            pass
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)  # output buffered by C code (printf)
    except Exception:  # noqa: BLE001
        pass


def _stop_multiprocessing() -> None:
    """Shut down multiprocessing children the way a normal interpreter exit would.

    ``python exercise.py`` terminates daemonic ``multiprocessing`` children (e.g.
    DataLoader workers) at exit; we leave with ``os._exit``, so we do it here, or
    they would be reported as processes left running.
    """
    util = sys.modules.get("multiprocessing.util")
    exit_function = getattr(util, "_exit_function", None)
    if exit_function is not None:
        try:
            exit_function()
        except BaseException:  # noqa: BLE001
            pass


def _send(fd: int, payload: dict[str, Any]) -> None:
    data = (json.dumps(payload, default=str) + "\n").encode("utf-8")
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_request(fd: int) -> Any:
    """Block until the worker hands over a request (JSON, then end of file)."""
    from torchtutor.runner import CheckRequest

    data = bytearray()
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data.extend(chunk)
    os.close(fd)
    if not data:
        os._exit(0)  # the worker is shutting down its spare child
    return CheckRequest.from_dict(json.loads(data))


def run_child(
    *,
    request_fd: int,
    capture_fd: int,
    fault_fd: int,
    result_fd: int,
    close_fds: list[int],
    worker_pid: int,
) -> NoReturn:
    """Wait for a request, run the check in this process, report, and exit.

    The worker forks this child *before* the request arrives (a spare child), so
    the cost of fork is not paid while a learner waits; everything that does not
    depend on the request is set up before the request is read from ``request_fd``.
    Never returns.
    """
    status = CHILD_FAILED
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the worker's handler is the worker's
        os.setsid()
        procs.set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != worker_pid:  # the worker died before we asked
            os._exit(CHILD_FAILED)
        try:
            with open("/proc/self/oom_score_adj", "w") as fh:
                fh.write("1000")
        except OSError:
            pass
        for fd in close_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        req = _read_request(request_fd)

        signal.signal(signal.SIGINT, signal.default_int_handler)
        _redirect(capture_fd)
        os.close(capture_fd)
        faulthandler.enable(file=fault_fd, all_threads=True)
        faulthandler.register(signal.SIGUSR1, file=fault_fd, all_threads=True, chain=False)

        folder = os.path.dirname(os.path.abspath(req.learner_file))
        try:
            os.chdir(folder)
        except OSError:
            pass
        sys.path.insert(0, folder)
        sys.argv = [req.learner_file]
        try:
            _seed(req.seed)
        except Exception as exc:  # noqa: BLE001
            payload = {"kind": "error", "stage": "seed", "message": _describe(exc)}
        else:
            me = os.getpid()
            payload = _call_target(req)
            if os.getpid() != me:
                # A process the learner forked (os.fork() without exiting the copy)
                # came back through here: it must not report a second verdict.
                _flush_output()
                os._exit(0)
        _flush_output()
        _stop_multiprocessing()
        _send(result_fd, payload)
        status = 0
    except BaseException:  # noqa: BLE001 - nothing may return into the worker's loop
        pass
    finally:
        os._exit(status)

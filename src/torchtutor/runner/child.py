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

The verdict cannot be forged by the learner's code, which runs in this process, short of
rewriting torchtutor's own code in memory (out of scope: see "Threat model" in the README):

* the payload carries a secret token the worker sent with the request, kept in a local
  variable here; a line on the result pipe without it (learner code writing JSON to fds
  3, 4, ...) is ignored by the worker;
* the payload is written to the pipe the worker handed over, checked by identity (device
  and inode) before writing: a result fd the learner closed or ``dup2``-ed over ends the
  check with :data:`RESULT_LOST`, a failed verdict, and never reaches anyone else;
* the verdict is encoded from the Verdict object's own fields (not its ``to_dict``) with
  functions captured at import, before any learner code, and alongside it travels the
  *failure list* the harness kept while judging (``run_exercise(..., failures=...)``):
  the worker passes a check only when that list is empty, whatever the Verdict says;
* the learner's stdout and stderr are the capture file, never the result pipe, so closing
  or redirecting them changes nothing but the output shown.
"""

from __future__ import annotations

import faulthandler
import importlib
import inspect
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
# The result pipe was closed or replaced (os.closerange, os.dup2) before the child could report.
RESULT_LOST = 114
# The child wrote its payload (seen without one: the learner flooded the result pipe).
REPORTED = 115

# Captured at import (in the worker, before any learner code) for the reporting path, so that
# learner code that patches json, Verdict.to_dict or these builtins cannot change what is sent.
_ENCODE = json.JSONEncoder(default=str, ensure_ascii=True).encode
_FIELDS = object.__getattribute__
_isinstance, _str, _bool, _list, _dict, _type = isinstance, str, bool, list, dict, type


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
    """The verdict's fields as plain data, read from the object itself: its ``to_dict`` (which
    learner code may have patched) is never called."""
    if _isinstance(result, _dict):
        return _dict(result)
    try:
        fields = _FIELDS(result, "__dict__")
    except AttributeError:
        raise TypeError(f"the check target returned {_type(result).__name__}, not a Verdict") from None
    if not _isinstance(fields, _dict) or "passed" not in fields:
        raise TypeError(f"the check target returned {_type(result).__name__}, not a Verdict")
    return _dict(fields)


def _keeps_failures(target: Callable[..., Any]) -> bool:
    """True when the target records its failures in a list it is given (the harness does)."""
    try:
        return "failures" in inspect.signature(target).parameters
    except (TypeError, ValueError):
        return False


def _failure_list(ledger: list[Any]) -> list[dict[str, str]]:
    out = []
    for entry in ledger:
        tag, summary = (entry if _isinstance(entry, tuple) and len(entry) == 2 else ("failed", entry))
        out.append({"failure": _str(tag), "summary": _str(summary)})
    return out


def _call_target(req: Any) -> dict[str, Any]:
    """Run the target and describe how it ended, as a JSON-able payload."""
    try:
        target = resolve_target(req.target)
    except Exception as exc:  # noqa: BLE001 - reported as a runner error
        return {"kind": "error", "stage": "load", "message": _describe(exc)}
    ledger: list[Any] | None = [] if _keeps_failures(target) else None
    try:
        if ledger is None:
            result = target(req.exercise_id, req.learner_file, req.checker_file)
        else:
            result = target(req.exercise_id, req.learner_file, req.checker_file, failures=ledger)
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
        payload = {"kind": "verdict", "verdict": _verdict_dict(result)}
        if ledger is not None:
            payload["failures"] = _failure_list(ledger)
        return payload
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


def _identity(fd: int) -> tuple[int, int] | None:
    """(device, inode) of what ``fd`` refers to, or None when it is closed."""
    try:
        info = os.fstat(fd)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _send(fd: int, payload: dict[str, Any], token: str, pipe: tuple[int, int] | None) -> bool:
    """Write the payload, with its token, on a fresh line of the result pipe. False (nothing
    written) when ``fd`` is no longer the pipe the worker handed over."""
    if pipe is None or _identity(fd) != pipe:
        return False
    payload["token"] = token
    data = ("\n" + _ENCODE(payload) + "\n").encode("utf-8")
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    return True


def _read_request(fd: int) -> Any:
    """Block until the worker hands over a request (JSON, then end of file): the
    CheckRequest and the token the payload must carry."""
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
    message = json.loads(data)
    return CheckRequest.from_dict(message["request"]), str(message["token"])


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
        procs.set_dumpable(True)  # the worker is not (its fds stay closed to us); we may be
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
        pipe = _identity(result_fd)
        req, token = _read_request(request_fd)

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
        status = REPORTED if _send(result_fd, payload, token, pipe) else RESULT_LOST
    except BaseException:  # noqa: BLE001 - nothing may return into the worker's loop
        pass
    finally:
        os._exit(status)

"""The doctor's child process: run one script as ``__main__`` under a :class:`Probe`.

Invoked by :func:`torchtutor.diagnose.doctor.run_doctor` as::

    python -c <bootstrap> --result OUT.json [--max-seconds S] [--max-steps N]
                          [--replay-inplace HINT] -- SCRIPT [ARGS...]

The script sees ``sys.argv == [SCRIPT, *ARGS]``, ``sys.path[0]`` set to its own folder, the
caller's working directory (as with ``python SCRIPT``), and its stdout/stderr untouched. The findings travel back as JSON in
``OUT.json``, never through the script's output. The script's files are never modified:
the wrappers on torch.save/torch.load only look and then call the real functions.
"""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
import warnings
from typing import Any

_SRC_ENV = "TORCHTUTOR_DOCTOR_SRC"


def _parse(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {"result": None, "max_seconds": None, "max_steps": None, "replay": None}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            opts["script"] = argv[i + 1]
            opts["args"] = argv[i + 2:]
            return opts
        value = argv[i + 1]
        if arg == "--result":
            opts["result"] = value
        elif arg == "--max-seconds":
            opts["max_seconds"] = float(value)
        elif arg == "--max-steps":
            opts["max_steps"] = int(value)
        elif arg == "--replay-inplace":
            opts["replay"] = value
        else:
            raise SystemExit(f"torchtutor doctor child: unknown option {arg}")
        i += 2
    raise SystemExit("torchtutor doctor child: missing '-- SCRIPT'")


def _print_script_traceback(exc: BaseException, script: str) -> None:
    """Print the traceback as `python script.py` would: starting at the script's frame, and
    without the frames of the probes' own wrappers (they only pass the call through)."""
    tb = exc.__traceback__
    real = os.path.realpath(script)
    while tb is not None and os.path.realpath(tb.tb_frame.f_code.co_filename) != real:
        tb = tb.tb_next
    here = os.path.dirname(os.path.realpath(__file__)) + os.sep
    te = traceback.TracebackException(type(exc), exc, tb if tb is not None else exc.__traceback__)
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if not os.path.realpath(f.filename).startswith(here)])
    sys.stderr.write("".join(te.format()))
    sys.stderr.flush()


class _InplaceWatch:
    """A TorchFunctionMode (created lazily) that remembers where in-place operations on a
    tensor produced by the op named in the error message happened."""

    def __new__(cls, hint: str):
        from torch.overrides import TorchFunctionMode

        from .findings import user_location

        class Watch(TorchFunctionMode):
            def __init__(self):
                super().__init__()
                self.hits: list = []

            def __torch_function__(self, func, types, args=(), kwargs=None):
                kwargs = kwargs or {}
                name = getattr(func, "__name__", "")
                inplace = (name.endswith("_") and not name.startswith("_")) or name.startswith("__i") \
                    or name == "__setitem__"
                if inplace and args:
                    target = args[0]
                    fn = getattr(target, "grad_fn", None)
                    if fn is not None:
                        gname = fn.name()
                        if not hint or gname.startswith(hint) or hint.startswith(gname.rstrip("0123456789")):
                            loc = user_location()
                            if loc is not None and len(self.hits) < 50:
                                self.hits.append((loc, name, gname))
                return func(*args, **kwargs)

        return Watch()


def _anomaly_forward_location(messages: list[str]):
    """The innermost user frame in anomaly mode's 'Traceback of forward call'."""
    from .findings import Location, is_user_file

    for text in messages:
        if "Traceback of forward call" not in text:
            continue
        best = None
        for file, line in re.findall(r'File "([^"]+)", line (\d+)', text):
            if is_user_file(file):
                best = Location(file, int(line))
        if best is not None:
            return best
    return None


def _run_one(opts: dict[str, Any]) -> None:
    """Run one script under a probe and write its result file (in this process)."""
    script = os.path.abspath(opts["script"])
    script_dir = os.path.dirname(script)

    import torch

    from .findings import mark_user_file
    from .probe import Probe, StopRun

    mark_user_file(script, with_folder=True)
    probe = Probe(max_steps=opts["max_steps"], max_seconds=opts["max_seconds"], fast_forward=True,
                  summary=opts["replay"] is None)
    done = threading.Event()
    interrupted: list[str] = []

    def on_signal(signum, frame):
        if not done.is_set():
            probe.request_stop("max-seconds")

    def on_interrupt(signum, frame):
        # Ctrl-C or SIGTERM, passed on by the doctor: the script unwinds as under `python` after
        # Ctrl-C (KeyboardInterrupt), and the findings so far are still written.
        if not done.is_set():
            interrupted.append(signal.Signals(signum).name)
            raise KeyboardInterrupt

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:   # not when the doctor ignores it
        signal.signal(signal.SIGINT, on_interrupt)
    signal.signal(signal.SIGTERM, on_interrupt)
    signal.signal(signal.SIGUSR1, on_signal)
    if opts["max_seconds"]:
        limit = opts["max_seconds"] + 3.0

        def nudge():
            if not done.wait(limit):
                try:
                    signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
                except Exception:
                    pass

        threading.Thread(target=nudge, name="torchtutor-doctor-timer", daemon=True).start()

    sys.argv = [script, *opts["args"]]
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path[0] = script_dir
    else:
        sys.path.insert(0, script_dir)
    # Like `python script.py`: sys.path[0] is the script's folder, the working
    # directory stays the caller's (scripts read relative paths from there).

    anomaly_messages: list[str] = []
    watch = None
    if opts["replay"] is not None:
        torch.autograd.set_detect_anomaly(True)
        watch = _InplaceWatch(opts["replay"])
        original_showwarning = warnings.showwarning

        def showwarning(message, category, filename, lineno, file=None, line=None):
            text = str(message)
            if "Traceback of forward call" in text:
                anomaly_messages.append(text)
                return
            original_showwarning(message, category, filename, lineno, file, line)

        warnings.showwarning = showwarning
        warnings.simplefilter("always", UserWarning)

    exit_status = 0
    started = time.monotonic()
    probe.install()
    try:
        if watch is not None:
            with watch:
                result = __import__("runpy").run_path(script, run_name="__main__")
        else:
            result = __import__("runpy").run_path(script, run_name="__main__")
        del result
    except StopRun as stop:
        probe.cut_short = probe.cut_short or stop.reason
    except SystemExit as exc:
        code = exc.code
        if code is None:
            exit_status = 0
        elif isinstance(code, int):
            exit_status = code
        else:
            sys.stderr.write(f"{code}\n")
            exit_status = 1
    except KeyboardInterrupt:
        exit_status = 128 + int(signal.Signals[interrupted[0]]) if interrupted else 130
    except BaseException as exc:  # the script crashed: show it as Python would, then explain
        exit_status = 1
        if watch is not None:
            hits = watch.hits
            if hits:
                probe.crash_context["inplace_op"] = hits[-1][0]
            produced = _anomaly_forward_location(anomaly_messages)
            if produced is not None:
                probe.crash_context["inplace_forward"] = produced
        else:
            _print_script_traceback(exc, script)
        probe.record_exception(exc)
        if probe.fast_forwarding:
            probe.crash_context["during_fast_forward"] = True
        del exc
    finally:
        done.set()
        # from here on a late Ctrl-C or SIGTERM must not cost the findings: the doctor waits for them
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        probe.uninstall()
    duration = time.monotonic() - started
    sys.stdout.flush()
    sys.stderr.flush()
    gc.collect()
    findings = probe.finalize()
    if probe.crash and probe.crash_context.get("during_fast_forward"):
        probe.crash["after_fast_forward"] = True
    payload = {
        "script": script,
        "argv": opts["args"],
        "exit_status": exit_status,
        "findings": [f.to_dict() for f in findings],
        "observations": probe.observations,
        "crash": probe.crash,
        "cut_short": probe.cut_short,
        "fast_forward_step": probe.fast_forward_step,
        "stopped_at_step": probe.stopped_at,
        "steps": probe.n_steps,
        "interrupted": interrupted[0] if interrupted else None,
        "backward_calls": probe.n_backward,
        "duration_s": round(duration, 3),
        "internal_errors": probe.internal_errors,
        "replay": {
            "inplace_op": str(probe.crash_context["inplace_op"]) if "inplace_op" in probe.crash_context else None,
            "inplace_forward": str(probe.crash_context["inplace_forward"])
            if "inplace_forward" in probe.crash_context else None,
        } if opts["replay"] is not None else None,
    }
    path = opts["result"]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, default=str)
    os.replace(tmp, path)
    sys.stdout.flush()
    sys.stderr.flush()


def _run_batch(spec_path: str) -> None:
    """Run many scripts, each in a forked copy of this process (torch is imported once).

    The spec is a JSON list of objects with ``script``, ``args``, ``result``, ``log`` and
    optionally ``max_seconds``, ``max_steps``, ``replay``; ``parallel`` runs that many at once.
    """
    import torch  # imported once, before forking

    # Imports only (no computation, which could leave thread pools behind a fork): the
    # optimizers import torch._dynamo lazily on their first step, about a second each time.
    for name in ("torch._dynamo", "torch.optim", "torch.utils.data", "torchinfo"):
        try:
            __import__(name)
        except Exception:
            pass

    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    jobs = list(spec["jobs"])
    parallel = max(1, int(spec.get("parallel", 1)))
    if spec.get("threads"):
        # several children at once, each with a full thread pool, would fight over the cores
        torch.set_num_threads(int(spec["threads"]))
    running: dict[int, tuple[dict, float]] = {}
    while jobs or running:
        while jobs and len(running) < parallel:
            job = jobs.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    fd = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    os.dup2(fd, 1)
                    os.dup2(fd, 2)
                    opts = {"script": job["script"], "args": job.get("args", []), "result": job["result"],
                            "max_seconds": job.get("max_seconds"), "max_steps": job.get("max_steps"),
                            "replay": job.get("replay")}
                    _run_one(opts)
                finally:
                    os._exit(0)
            limit = (job.get("max_seconds") or 60.0) + 30.0
            running[pid] = (job, time.monotonic() + limit)
        time.sleep(0.02)
        for pid, (job, deadline) in list(running.items()):
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                del running[pid]
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                del running[pid]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    src = os.environ.pop(_SRC_ENV, None)
    if src and src in sys.path:
        sys.path.remove(src)
    if argv[:1] == ["--batch"]:
        _run_batch(argv[1])
        os._exit(0)
    try:
        _run_one(_parse(argv))
    except KeyboardInterrupt:   # Ctrl-C before the script started (importing torch): the doctor says so
        os._exit(130)
    os._exit(0)


if __name__ == "__main__":
    main()

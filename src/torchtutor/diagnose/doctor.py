"""``torchtutor doctor``: run a script in a child process under the probes and collect a report.

The parent never imports the user's script. It starts the child
(:mod:`torchtutor.diagnose.child`), waits with a hard time limit, reads the JSON the child
wrote, and, when the script died of an in-place autograd conflict, replays it once under
anomaly detection to find the two lines involved.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from .findings import Finding, SplitFindings, plain_text, summarise
from ..pysource import SourceError, read_source

_HERE = os.path.dirname(os.path.abspath(__file__))
_SRC = os.path.dirname(os.path.dirname(_HERE))
_BOOT = ("import sys; sys.path.insert(0, {src!r})\n"
         "try:\n from torchtutor.diagnose.child import main\n"
         "except KeyboardInterrupt:\n raise SystemExit(130)\n"   # Ctrl-C while starting: no traceback
         "main()")
#: Seconds the parent waits beyond --max-seconds before it kills a child that did not stop.
KILL_GRACE_S = 30.0
#: Seconds the parent waits, after Ctrl-C or SIGTERM, for the script to unwind and the child to
#: write what it found, before it kills the child. A second signal kills it at once.
INTERRUPT_GRACE_S = 5.0
#: The signals the doctor passes on to the script's process (as ``python SCRIPT`` would receive them).
FORWARDED = (signal.SIGINT, signal.SIGTERM)
#: ``si_code`` of a signal the kernel sent itself: Ctrl-C typed at a terminal goes to the whole
#: foreground process group, so the child has already received it and it is not sent again.
_SI_KERNEL = 0x80


#: The doctor's exit codes (``torchtutor doctor``; also ``summary.doctor_exit_code`` in the JSON).
EXIT_CLEAN = 0       # no warning, and the script did not crash
EXIT_WARNINGS = 1    # at least one warning
EXIT_USAGE = 2       # the doctor was called wrongly (no such script, bad limits)
EXIT_CRASHED = 4     # the script raised an exception (whatever else was found); 3 is torchtutor's own error
EXIT_INTERRUPTED = {signal.SIGINT: 130, signal.SIGTERM: 143}   # 128 + the signal, as shells report it


class DoctorUsageError(Exception):
    """The doctor was called wrongly (missing script, bad limits). One paragraph, exit 2."""


@dataclass
class DoctorReport(SplitFindings):
    """What one doctor run found. ``to_dict()`` is the ``--json`` document."""

    script: str
    argv: list[str]
    exit_status: int | None
    findings: list[Finding]
    summary: dict[str, Any]
    observations: dict[str, Any] = field(default_factory=dict)
    output: str | None = None

    @property
    def crashed(self) -> bool:
        """The script itself raised an exception (not one the doctor's shortening provoked)."""
        crash = self.summary.get("crash")
        return bool(crash) and not crash.get("after_fast_forward")

    @property
    def interrupted(self) -> str | None:
        """``"SIGINT"`` or ``"SIGTERM"`` when the doctor itself was interrupted during the run."""
        return self.summary.get("interrupted")

    @property
    def exit_code(self) -> int:
        """The doctor's own exit code: 130 (SIGINT) or 143 (SIGTERM) when the run was interrupted,
        else :data:`EXIT_CRASHED` when the script crashed, else :data:`EXIT_WARNINGS` with at
        least one warning, else :data:`EXIT_CLEAN`."""
        if self.interrupted:
            return EXIT_INTERRUPTED[signal.Signals[self.interrupted]]
        if self.crashed:
            return EXIT_CRASHED
        return EXIT_WARNINGS if self.warnings else EXIT_CLEAN

    def to_dict(self) -> dict[str, Any]:
        data = {
            "script": self.script,
            "exit_status": self.exit_status,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary,
            "observations": self.observations,
        }
        if self.argv:
            data["argv"] = self.argv
        if self.output is not None:
            data["output"] = self.output
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DoctorReport":
        return cls(script=data["script"], argv=list(data.get("argv") or []), exit_status=data.get("exit_status"),
                   findings=[Finding.from_dict(f) for f in data.get("findings", [])],
                   summary=dict(data.get("summary") or {}), observations=dict(data.get("observations") or {}),
                   output=data.get("output"))


def _validate(script: str | os.PathLike, max_seconds: float | None, max_steps: int | None) -> str:
    path = os.path.abspath(os.fspath(script))
    if not os.path.exists(path):
        raise DoctorUsageError(f"No such script: {script}. Give the path of the Python file to run, "
                               "for example `torchtutor doctor train.py`.")
    if os.path.isdir(path):
        raise DoctorUsageError(f"{script} is a folder. Give the path of the Python file to run, "
                               "for example `torchtutor doctor train.py`.")
    try:
        source = read_source(path, binary_advice="Give the path of the Python file to run, for example "
                                                 "`torchtutor doctor train.py`.")
        compile(source, path, "exec")
    except SourceError as exc:
        raise DoctorUsageError(str(exc)) from None
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f": {exc.text.strip()}" if exc.text and exc.text.strip() else "")
        raise DoctorUsageError(f"{script} does not parse as Python ({exc.msg}, {where}). The doctor runs the "
                               "script the way `python` does, so fix that line first and run it again.") from None
    except (OSError, ValueError) as exc:
        raise DoctorUsageError(f"{script} cannot be read as a Python file ({exc}). Give the path of the "
                               "Python file to run, for example `torchtutor doctor train.py`.") from None
    if max_seconds is not None and not max_seconds > 0:
        raise DoctorUsageError(f"--max-seconds must be a positive number of seconds, not {max_seconds}.")
    if max_steps is not None and max_steps < 1:
        raise DoctorUsageError(f"--max-steps must be at least 1, not {max_steps}.")
    return path


def _spawn(path: str, args: Sequence[str], result: str, *, max_seconds: float | None, max_steps: int | None,
           replay: str | None, output: str, python: str,
           stdin: bool = False) -> tuple[int | None, str | None, bool, str | None]:
    """Run the child; returns (exit code, captured output, killed, the signal that interrupted the doctor)."""
    cmd = [python, "-c", _BOOT.format(src=_SRC), "--result", result]
    if max_seconds is not None:
        cmd += ["--max-seconds", repr(float(max_seconds))]
    if max_steps is not None:
        cmd += ["--max-steps", str(int(max_steps))]
    if replay is not None:
        cmd += ["--replay-inplace", replay]
    cmd += ["--", path, *args]
    env = dict(os.environ)
    env["TORCHTUTOR_DOCTOR_SRC"] = _SRC
    env.setdefault("PYTHONUNBUFFERED", "1")
    captured = None
    sink = None
    if output == "inherit":
        stdout, stderr = None, None
    elif output == "stderr":
        try:
            sys.stderr.flush()
            fd = sys.stderr.fileno()
            stdout, stderr = fd, fd
        except (AttributeError, OSError, ValueError):
            sink = tempfile.TemporaryFile()
            stdout, stderr = sink, subprocess.STDOUT
    elif output in ("capture", "quiet"):
        sink = tempfile.TemporaryFile()
        stdout, stderr = sink, subprocess.STDOUT
    else:
        raise ValueError(f"output must be inherit, stderr, capture or quiet, not {output!r}")
    limit = (max_seconds + KILL_GRACE_S) if max_seconds is not None else None
    # Same process group as the doctor (not a new session): a script that reads the terminal
    # must stay in the terminal's foreground group, or reading it would stop the script.
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=stderr,
                            stdin=None if stdin else subprocess.DEVNULL, start_new_session=False)
    try:
        code, killed, interrupted = _wait(proc, limit)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if sink is not None:
        if output == "capture" or output == "stderr":
            sink.seek(0, os.SEEK_END)
            size = sink.tell()
            sink.seek(max(0, size - 8000))
            captured = sink.read().decode("utf-8", "replace")
            if size > 8000:
                captured = "[...]\n" + captured.split("\n", 1)[-1]
            if output == "stderr":
                sys.stderr.write(captured)
                captured = None
        sink.close()
    return code, captured, killed, interrupted


def _wait(proc: subprocess.Popen, limit: float | None) -> tuple[int | None, bool, str | None]:
    """Wait for the child within ``limit`` seconds, passing SIGINT and SIGTERM on to it.

    The two signals are blocked in this thread and taken with ``sigtimedwait`` while the child
    runs, so the doctor is never interrupted half-way: a signal is sent on to the child (unless
    the kernel sent it to the whole process group, as Ctrl-C at a terminal does, in which case
    the child has it already), the script unwinds with KeyboardInterrupt, and the child writes
    what it found. A child that has not exited :data:`INTERRUPT_GRACE_S` seconds later, or a
    second signal, gets SIGKILL. Returns (exit code, killed, signal name or None).
    """
    if threading.current_thread() is not threading.main_thread():   # signals only reach the main thread
        try:
            return proc.wait(timeout=limit), False, None
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(), True, None
    deadline = time.monotonic() + limit if limit is not None else None
    interrupted: str | None = None
    # a signal the doctor was started ignoring (`nohup`, a background job) is ignored, as python would
    taken = [s for s in FORWARDED if signal.getsignal(s) is not signal.SIG_IGN]
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, taken)
    try:
        while True:
            code = proc.poll()
            if code is not None:
                return code, False, interrupted
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()
                return proc.wait(), True, interrupted
            info = signal.sigtimedwait(taken, 0.05) if taken else time.sleep(0.05)
            if info is None:
                continue
            if interrupted is not None:              # the second signal: stop waiting for the script
                proc.kill()
                return proc.wait(), True, interrupted
            interrupted = signal.Signals(info.si_signo).name
            if info.si_code != _SI_KERNEL:
                try:
                    proc.send_signal(info.si_signo)
                except OSError:
                    pass
            grace = time.monotonic() + INTERRUPT_GRACE_S
            deadline = grace if deadline is None else min(deadline, grace)
    finally:
        while taken and signal.sigtimedwait(taken, 0) is not None:   # taken here, not raised after unblocking
            pass
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _load(result: str) -> dict[str, Any] | None:
    import json

    try:
        with open(result, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def run_doctor(script: str | os.PathLike, args: Sequence[str] = (), *, max_seconds: float | None = 60.0,
               max_steps: int | None = None, output: str = "inherit", replay: bool = True,
               python: str | None = None, stdin: bool = False) -> DoctorReport:
    """Run ``script`` with ``args`` under the probes in a child process and return the report.

    output: ``"inherit"`` (the script prints to this terminal), ``"stderr"`` (its stdout goes
    to stderr, keeping stdout free for JSON), ``"capture"`` (kept in ``report.output``, last
    8,000 characters) or ``"quiet"``. stdin: the script reads this process's stdin, as under
    ``python SCRIPT`` (else it reads an empty one). Called from the main thread, SIGINT and
    SIGTERM are passed on to the script (see :func:`_wait`) and the report covers the run up
    to then, with ``summary.interrupted`` set. Raises :class:`DoctorUsageError` for a missing
    script or bad limits.
    """
    path = _validate(script, max_seconds, max_steps)
    args = [str(a) for a in args]
    python = python or sys.executable
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="torchtutor-doctor-") as tmp:
        result = os.path.join(tmp, "result.json")
        code, captured, killed, interrupted = _spawn(path, args, result, max_seconds=max_seconds,
                                                     max_steps=max_steps, replay=None, output=output,
                                                     python=python, stdin=stdin)
        data = _load(result)
        replay_data = None
        hint = _replay_hint(data) if replay and not interrupted else None
        if hint is not None:
            steps = int(data.get("steps") or 0)
            replay_result = os.path.join(tmp, "replay.json")
            *_, again = _spawn(path, args, replay_result, max_seconds=min(max_seconds or 60.0, 60.0),
                               max_steps=steps + 1, replay=hint, output="quiet", python=python)
            interrupted = interrupted or again        # Ctrl-C during the replay ends the doctor as well
            replay_data = _load(replay_result)
    return _to_report(path, args, data, replay_data, code=code, killed=killed, captured=captured,
                      max_seconds=max_seconds, max_steps=max_steps, wall=time.monotonic() - started,
                      interrupted=interrupted)


def _interrupt_text(interrupted: str) -> str:
    how = "Ctrl-C (SIGINT)" if interrupted == "SIGINT" else interrupted
    return (f"The run was interrupted by {how}, which was passed on to the script; what is reported covers "
            f"the run up to then. Exit code {EXIT_INTERRUPTED[signal.Signals[interrupted]]}.")


def _to_report(path: str, args: list[str], data: dict[str, Any] | None, replay_data: dict[str, Any] | None, *,
               code: int | None, killed: bool, captured: str | None, max_seconds: float | None,
               max_steps: int | None, wall: float, interrupted: str | None = None) -> DoctorReport:
    if data is None:
        if interrupted and killed:
            why = (f"the run was interrupted by {interrupted} and the script did not stop within "
                   f"{INTERRUPT_GRACE_S:g} s (or a second signal came), so it was killed")
        elif interrupted:
            why = f"the run was interrupted by {interrupted} before the script started or before it reported"
        elif killed:
            why = (f"the script did not stop within {max_seconds:g} s plus a {KILL_GRACE_S:g} s grace period and "
                   "was killed")
        else:
            why = f"the instrumented child exited with status {code} before reporting"
        summary = {"warnings": 0, "infos": 0, "warning_ids": [], "steps": None, "backward_calls": None,
                   "cut_short": "killed" if killed and not interrupted else None, "crash": None,
                   "duration_s": round(wall, 3), "verdict": f"No findings: {why}."}
        if interrupted:
            summary["interrupted"] = interrupted
        report = DoctorReport(script=path, argv=args, exit_status=code if not killed else None, findings=[],
                              summary=summary, output=captured)
        summary.update(crashed=False, doctor_exit_code=report.exit_code)
        return report
    findings = [Finding.from_dict(f) for f in data.get("findings", [])]
    if captured:
        captured = plain_text(captured)
    if replay_data is not None:
        _merge_replay(findings, replay_data)
    summary = summarise(findings)
    summary.update({
        "steps": data.get("steps"),
        "backward_calls": data.get("backward_calls"),
        "cut_short": data.get("cut_short"),
        "fast_forward_step": data.get("fast_forward_step"),
        "stopped_at_step": data.get("stopped_at_step"),
        "crash": data.get("crash"),
        "duration_s": data.get("duration_s"),
        "max_seconds": max_seconds,
        "max_steps": max_steps,
    })
    if data.get("internal_errors"):
        summary["probe_errors"] = data["internal_errors"]
    summary["verdict"] = _verdict(findings, summary, data.get("exit_status"))
    if interrupted:
        summary["interrupted"] = interrupted
        summary["verdict"] += " " + _interrupt_text(interrupted)
    report = DoctorReport(script=path, argv=args, exit_status=data.get("exit_status"), findings=findings,
                          summary=summary, observations=data.get("observations") or {}, output=captured)
    summary["crashed"] = report.crashed
    summary["doctor_exit_code"] = report.exit_code
    return report


def _replay_hint(data: dict[str, Any] | None) -> str | None:
    """The op name to watch when the run died of an in-place conflict, else None."""
    import re

    crash = (data or {}).get("crash") or {}
    if crash.get("id") != "inplace-autograd-conflict":
        return None
    m = re.search(r"output \d+ of (\w+)", crash.get("message", ""))
    return m.group(1) if m else ""


def run_many(scripts: Sequence[str | os.PathLike | tuple[str | os.PathLike, Sequence[str]]], *,
             max_seconds: float | None = 60.0, max_steps: int | None = None, parallel: int = 2,
             replay: bool = True, python: str | None = None) -> list[DoctorReport]:
    """Run many scripts (each ``path`` or ``(path, args)``) under the probes.

    One child imports torch once and forks a fresh copy per script, ``parallel`` at a time,
    sharing the CPU cores between them (torch threads per script = cores // parallel); each
    script's output is captured into ``report.output``. Used by the tests and by checks
    that prove many scripts at once.
    """
    import json

    items = [(s, []) if not isinstance(s, tuple) else (s[0], list(s[1])) for s in scripts]
    paths = [_validate(p, max_seconds, max_steps) for p, _ in items]
    python = python or sys.executable
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="torchtutor-doctor-") as tmp:
        def batch(jobs: list[dict[str, Any]]) -> None:
            spec = os.path.join(tmp, f"spec-{len(os.listdir(tmp))}.json")
            with open(spec, "w", encoding="utf-8") as fh:
                threads = max(1, (os.cpu_count() or 1) // parallel)
                json.dump({"jobs": jobs, "parallel": parallel, "threads": threads}, fh)
            env = dict(os.environ)
            env["TORCHTUTOR_DOCTOR_SRC"] = _SRC
            subprocess.run([python, "-c", _BOOT.format(src=_SRC), "--batch", spec], env=env,
                           stdin=subprocess.DEVNULL, check=False)

        jobs = []
        for i, (path, (_, args)) in enumerate(zip(paths, items)):
            jobs.append({"script": path, "args": [str(a) for a in args], "result": os.path.join(tmp, f"r{i}.json"),
                         "log": os.path.join(tmp, f"r{i}.log"), "max_seconds": max_seconds, "max_steps": max_steps})
        batch(jobs)
        datas = [_load(j["result"]) for j in jobs]
        replays: dict[int, dict[str, Any] | None] = {}
        if replay:
            again = []
            for i, data in enumerate(datas):
                hint = _replay_hint(data)
                if hint is not None:
                    again.append((i, dict(jobs[i], result=jobs[i]["result"] + ".replay", log=os.devnull, replay=hint,
                                          max_steps=int(data.get("steps") or 0) + 1,
                                          max_seconds=min(max_seconds or 60.0, 60.0))))
            if again:
                batch([job for _, job in again])
                replays = {i: _load(job["result"]) for i, job in again}
        reports = []
        for i, (path, (_, args)) in enumerate(zip(paths, items)):
            try:
                with open(jobs[i]["log"], encoding="utf-8", errors="replace") as fh:
                    log = fh.read()[-8000:]
            except OSError:
                log = None
            reports.append(_to_report(path, [str(a) for a in args], datas[i], replays.get(i), code=None,
                                      killed=datas[i] is None, captured=log, max_seconds=max_seconds,
                                      max_steps=max_steps, wall=time.monotonic() - started))
    return reports


def _merge_replay(findings: list[Finding], replay: dict[str, Any]) -> None:
    for f in findings:
        if f.id != "inplace-autograd-conflict":
            continue
        for r in replay.get("findings", []):
            if r.get("id") == "inplace-autograd-conflict" and ("produced_at" in r.get("evidence", {})
                                                               or "modified_at" in r.get("evidence", {})):
                better = Finding.from_dict(r)
                f.message = better.message
                f.evidence.update(better.evidence)
                if better.location is not None:
                    f.location = better.location
                f.evidence["found_by"] = "replay under torch.autograd.set_detect_anomaly(True)"
                return


def _verdict(findings: list[Finding], summary: dict[str, Any], exit_status: Any) -> str:
    warnings = [f for f in findings if f.is_warning]
    parts = []
    if warnings:
        ids = []
        for f in warnings:
            if f.id not in ids:
                ids.append(f.id)
        parts.append(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}: {', '.join(ids)}.")
    else:
        parts.append("No mistakes from the catalogue were seen.")
    crash = summary.get("crash")
    if crash:
        parts.append(f"The script crashed ({crash.get('type')}).")
    elif exit_status not in (0, None):
        parts.append(f"The script exited with status {exit_status}.")
    if summary.get("cut_short"):
        parts.append("The run was cut short (" + str(summary["cut_short"]) + ").")
    if crash and not crash.get("after_fast_forward"):
        parts.append(f"Exit code {EXIT_CRASHED}: the script crashed.")
    return " ".join(parts)

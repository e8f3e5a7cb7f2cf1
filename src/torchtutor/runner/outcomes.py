"""Turning how a check's process ended into a Verdict a learner can act on.

The worker collects an :class:`Ending` (why it stopped the child, the child's wait
status, the payload the child sent, the output, leftover processes) and
:func:`verdict_for` writes the verdict. Every failure here gets a ``failure`` tag
(the first hint rung keys on it) and a summary in plain words: no tracebacks.
"""

from __future__ import annotations

import linecache
import os
import re
import signal
from dataclasses import dataclass, field
from typing import Any

from torchtutor.checks.verdict import Verdict
from torchtutor.runner.child import CHILD_FAILED, REPORTED, RESULT_LOST

# Failure tags set by the runner (the harness sets its own for checker failures).
TIMEOUT = "timeout"
MEMORY = "memory-limit"
OUTPUT_FLOOD = "output-flood"
FORK_LOOP = "fork-loop"
STRAY_PROCESS = "stray-process"
CRASH = "crash"
SYS_EXIT = "sys-exit"
OS_EXIT = "os-exit"
KEYBOARD_INTERRUPT = "keyboard-interrupt"
RUNNER_ERROR = "runner-error"
RESULT_CHANNEL = "result-channel"  # the learner's code closed, replaced or flooded the result pipe

# Reasons for which the worker stops a check that is still running.
STOP_TIMEOUT = "timeout"
STOP_MEMORY = "memory"
STOP_OUTPUT = "output"
STOP_PROCESSES = "processes"

_SIGNAL_WORDS = {
    signal.SIGSEGV: "a segmentation fault: it touched memory it may not. Ordinary Python "
    "code cannot do that; ctypes or a bug in a C extension can",
    signal.SIGBUS: "a bus error: it touched memory that does not exist (ctypes, or a "
    "C extension reading a truncated file?)",
    signal.SIGFPE: "an arithmetic error in native code (an integer division by zero in C?)",
    signal.SIGILL: "an illegal instruction in native code (a library built for another CPU?)",
    signal.SIGABRT: "an abort: a C/C++ library found an impossible state and stopped the "
    "process (often an assertion inside a native extension)",
    signal.SIGKILL: "SIGKILL from outside: usually the system ran out of memory and the "
    "kernel picked this process",
    signal.SIGTERM: "SIGTERM: something asked the process to terminate",
}


@dataclass
class Ending:
    """Everything the worker learned about one finished check."""

    stopped_for: str | None = None  # one of STOP_*, when the worker stopped it
    wait_status: int | None = None  # os.waitpid status, when the child exited by itself
    payload: dict[str, Any] | None = None
    payload_error: str | None = None  # the payload could not be decoded
    output: bytes = b""  # the first output_cap bytes the check printed
    output_total: int = 0  # bytes printed in all (as far as we saw)
    faults: str = ""  # faulthandler's dump: a crash, or where SIGUSR1 found the code
    leftovers: list[str] = field(default_factory=list)  # command lines left running
    unkillable: bool = False  # some process survived the cleanup
    process_limit: int = 0  # the process limit that was exceeded, for STOP_PROCESSES
    forged: int = 0  # lines on the result pipe without the check's token (written by learner code)
    duration_ms: float = 0.0


def seconds(value: float) -> str:
    """10.0 -> '10', 0.5 -> '0.5'."""
    return f"{value:g}"


def kilobytes(value: int) -> str:
    """64000 -> '64' (decimal kilobytes, as the cap is stated)."""
    return f"{value / 1000:g}"


def format_output(output: bytes, total: int, cap: int) -> str:
    """The captured output as text, with a note when it was cut off at ``cap`` bytes."""
    text = output[:cap].decode("utf-8", "replace")
    if total > cap:
        if text and not text.endswith("\n"):
            text += "\n"
        text += f"[output cut off: only the first {cap:,} bytes are kept]\n"
    return text


_FRAME = re.compile(r'^\s*File "(?P<file>.*)", line (?P<line>\d+)')


def fault_location(faults: str, learner_file: str) -> int | None:
    """The line of ``learner_file`` that a faulthandler dump shows running, if any.

    The dump lists the most recent call first, so the first learner frame is the
    innermost one.
    """
    try:
        wanted = os.path.realpath(learner_file)
    except (OSError, ValueError):
        return None
    for text in faults.splitlines():
        match = _FRAME.match(text)
        if match:
            try:
                same = os.path.realpath(match.group("file")) == wanted
            except (OSError, ValueError):
                same = False
            if same:
                return int(match.group("line"))
    return None


def _where(learner_file: str, line: int | None, lead: str) -> list[str]:
    if not line:
        return []
    name = os.path.basename(learner_file)
    source = linecache.getline(learner_file, line).strip()
    return [f"{lead} line {line} of {name}: {source}" if source else f"{lead} line {line} of {name}."]


def _failed(req: Any, summary: str, failure: str, details: list[str], ending: Ending) -> Verdict:
    return Verdict(
        id=req.exercise_id,
        passed=False,
        summary=summary,
        details=details,
        failure=failure,
        duration_ms=ending.duration_ms,
        stdout=format_output(ending.output, ending.output_total, req.output_cap),
    )


def runner_error(req: Any, summary: str, details: list[str] | None = None, *, stdout: str = "") -> Verdict:
    """A failure of torchtutor's own machinery (not of the learner's code)."""
    return Verdict(
        id=req.exercise_id,
        passed=False,
        summary=summary,
        details=list(details or []) + ["This is a problem in torchtutor, not in your code."],
        failure=RUNNER_ERROR,
        stdout=stdout,
    )


def _stopped(req: Any, ending: Ending) -> Verdict:
    line = fault_location(ending.faults, req.learner_file)
    where = _where(req.learner_file, line, "When it was stopped, it was running")
    if ending.stopped_for == STOP_TIMEOUT:
        return _failed(
            req,
            f"Your code did not finish within {seconds(req.timeout)} s (an infinite loop?), "
            "so torchtutor stopped it.",
            TIMEOUT,
            where
            + [
                "Look for a while-loop whose condition never becomes false, or a loop "
                "that runs far more steps than the exercise needs.",
            ],
            ending,
        )
    if ending.stopped_for == STOP_MEMORY:
        return _failed(
            req,
            f"Your code used more than {req.memory_mb} MB of memory, so torchtutor stopped it.",
            MEMORY,
            where
            + [
                "Tensors add up fast: a float32 tensor of shape [N, M] takes N*M*4 bytes. "
                "Check the sizes you create, and do not keep every step's tensors alive "
                "(store loss.item(), not loss).",
            ],
            ending,
        )
    if ending.stopped_for == STOP_OUTPUT:
        return _failed(
            req,
            f"Your code printed more than {kilobytes(req.output_cap)} KB of output "
            "(a print inside a long loop?), so torchtutor stopped it.",
            OUTPUT_FLOOD,
            where
            + [
                "Print a summary instead: every 100th step, or only the final value. "
                "The beginning of the output is kept below.",
            ],
            ending,
        )
    return _failed(
        req,
        f"Your code started more than {ending.process_limit} processes "
        "(os.fork() in a loop?), so torchtutor stopped all of them.",
        FORK_LOOP,
        [
            "Every os.fork() copies the whole program, and each copy goes on running "
            "your loop and forking again. An exercise file should not start processes "
            "in a loop.",
        ],
        ending,
    )


def _from_signal(req: Any, sig: int, ending: Ending) -> Verdict:
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = f"signal {sig}"
    words = _SIGNAL_WORDS.get(sig)
    if sig == signal.SIGSEGV:
        summary = f"Your code crashed the Python process with a segmentation fault ({name})."
    elif words:
        summary = f"Your code's process was ended by {name}."
    else:
        summary = f"Your code's process was ended by signal {name}."
    details = []
    if words:
        details.append(f"{name} means {words}.")
    details += _where(req.learner_file, fault_location(ending.faults, req.learner_file), "It happened at")
    return _failed(req, summary, CRASH, details, ending)


def _from_exit_status(req: Any, code: int, ending: Ending) -> Verdict:
    if code in (RESULT_LOST, REPORTED):
        how = ("closed or replaced" if code == RESULT_LOST else "filled with its own writes")
        return _failed(
            req,
            f"Your code {how} the file descriptor torchtutor reads the check's result from, so the "
            "result was lost and the check counts as failed.",
            RESULT_CHANNEL,
            [
                "An exercise file should only close or write to file descriptors it opened itself: "
                "remove os.closerange(...), os.dup2(...) or os.write(...) on descriptors you did "
                "not get from open() or os.pipe().",
            ],
            ending,
        )
    if code == CHILD_FAILED:
        return runner_error(
            req,
            "torchtutor could not set up the process that runs your code.",
            stdout=format_output(ending.output, ending.output_total, req.output_cap),
        )
    if code == 0:
        summary = (
            "Your code called os._exit(0), which ends the process on the spot; an exercise "
            "file should not exit the process, because the checker runs after it."
        )
    else:
        summary = (
            f"Your code ended the process with exit status {code} (os._exit({code})?) "
            "before the checker could run; an exercise file should not exit the process."
        )
    return _failed(req, summary, OS_EXIT, ["Remove the os._exit() call."], ending)


def _from_payload(req: Any, payload: dict[str, Any], ending: Ending) -> Verdict:
    kind = payload.get("kind")
    line = payload.get("line")
    if kind == "verdict":
        data = dict(payload.get("verdict") or {})
        try:
            verdict = Verdict.from_dict(data)
        except TypeError as exc:
            return runner_error(req, f"The checker returned a verdict torchtutor cannot read ({exc}).")
        verdict = _judged(verdict, payload.get("failures"))
        verdict.id = req.exercise_id
        verdict.duration_ms = ending.duration_ms
        verdict.stdout = format_output(ending.output, ending.output_total, req.output_cap)
        return verdict
    if kind == "exit":
        code = payload.get("code")
        if code is None:
            summary = (
                "Your code raised SystemExit (sys.exit(), exit() or quit()); an exercise "
                "file should not exit the process, because the checker runs after it."
            )
        else:
            summary = (
                f"Your code called sys.exit({code}); an exercise file should not exit "
                "the process, because the checker runs after it."
            )
            if code == 0:
                summary = summary[:-1] + " (exiting with success stops the check too)."
        details = _where(req.learner_file, line, "It happened at") + [
            "Remove the call; when your file ends, the checker takes over.",
        ]
        return _failed(req, summary, SYS_EXIT, details, ending)
    if kind == "interrupt":
        details = _where(req.learner_file, line, "It happened at") + [
            "KeyboardInterrupt is what Ctrl+C raises; an exercise file should not raise "
            "it. Remove the raise.",
        ]
        return _failed(
            req,
            "Your code raised KeyboardInterrupt, which stops the check as if Ctrl+C had been pressed.",
            KEYBOARD_INTERRUPT,
            details,
            ending,
        )
    message = payload.get("message", "an unknown error")
    if payload.get("stage") == "run":
        details = [f"{message}"] + _where(req.learner_file, line, "It was raised at")
        return _failed(
            req,
            "The check stopped with an error that was not reported as a verdict.",
            RUNNER_ERROR,
            details,
            ending,
        )
    return runner_error(
        req,
        f"torchtutor could not run its checker ({message}).",
        stdout=format_output(ending.output, ending.output_total, req.output_cap),
    )


def _judged(verdict: Verdict, failures: Any) -> Verdict:
    """``passed`` as the checker decided it: only a verdict whose ``passed`` is True, and (when
    the target keeps one, as the harness does) whose failure list is empty, passes. A verdict
    that claims a pass while the list holds a failure was changed by the learner's code (a
    patched ``Verdict``): it fails with the checker's own first failure."""
    verdict.passed = verdict.passed is True
    if not isinstance(failures, list):
        return verdict
    if failures and verdict.passed:
        first = failures[0] if isinstance(failures[0], dict) else {}
        return Verdict(
            id=verdict.id,
            passed=False,
            summary=str(first.get("summary") or "A check did not hold."),
            details=[
                "(The verdict your code's process produced said it passed: something in your code "
                "changed torchtutor's Verdict. This is the checker's own record of the failure.)"
            ],
            failure=str(first.get("failure") or "failed"),
        )
    return verdict


def verdict_for(req: Any, ending: Ending) -> Verdict:
    """The verdict for a check that ended as ``ending`` describes."""
    if ending.stopped_for is not None:
        verdict = _stopped(req, ending)
    elif ending.payload is not None:
        verdict = _from_payload(req, ending.payload, ending)
        if ending.output_total > req.output_cap:
            # It finished, but printed more than the cap between two looks.
            ending.stopped_for = STOP_OUTPUT
            verdict = _stopped(req, ending)
            ending.stopped_for = None
        elif ending.leftovers and verdict.failure != RUNNER_ERROR:
            count = len(ending.leftovers)
            shown = ", ".join(ending.leftovers[:3]) + (", ..." if count > 3 else "")
            noun = "process" if count == 1 else "processes"
            verdict = _failed(
                req,
                f"Your code left {count} {noun} running after it finished ({shown}); "
                f"torchtutor stopped {'it' if count == 1 else 'them'}.",
                STRAY_PROCESS,
                [
                    "Wait for the processes you start before your file ends: "
                    "proc.wait(), subprocess.run(...), or a with-block.",
                    "The check itself said: " + verdict.summary,
                ],
                ending,
            )
    elif ending.payload_error is not None:
        verdict = runner_error(req, f"The checker's answer could not be read ({ending.payload_error}).")
    elif ending.wait_status is not None and os.WIFSIGNALED(ending.wait_status):
        verdict = _from_signal(req, os.WTERMSIG(ending.wait_status), ending)
    elif ending.wait_status is not None and os.WIFEXITED(ending.wait_status):
        verdict = _from_exit_status(req, os.WEXITSTATUS(ending.wait_status), ending)
    else:
        verdict = runner_error(req, "The process that ran your code vanished without a result.")
    verdict.duration_ms = ending.duration_ms
    if ending.forged:
        lines = "a line" if ending.forged == 1 else f"{ending.forged} lines"
        verdict.details.append(
            f"Your code wrote {lines} to the channel torchtutor's checker reports on; "
            "torchtutor ignored them (only the checker's own report counts)."
        )
    if ending.unkillable:
        verdict.details.append(
            "Some processes your code started could not be stopped; they may still be running."
        )
    return verdict

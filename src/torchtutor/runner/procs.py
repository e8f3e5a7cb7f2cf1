"""Process bookkeeping through ``/proc``: who belongs to a check, how much memory the
check holds, and how to make sure every one of its processes is gone.

Everything here is Linux-specific and uses only the standard library. The functions
never raise for a process that vanishes while we look at it: a process that exits
between two reads is simply not there any more.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36

# /proc/<pid>/task/<tid>/children lists a thread's children (CONFIG_PROC_CHILDREN).
# Walking it costs a few reads per process; without it we scan the whole of /proc.
_HAVE_CHILDREN_FILE = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return None


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def set_child_subreaper() -> bool:
    """Make orphaned descendants of this process become its children (not init's).

    The worker sets this so that processes a check leaves behind are re-parented to
    the worker, which can then kill and reap them (no zombies, even when PID 1 of a
    container never reaps). Returns False where the kernel refuses.
    """
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def set_dumpable(flag: bool) -> bool:
    """Set whether other processes of this user may open ``/proc/<pid>/fd``, ``mem`` and the
    like of this one (and ptrace it). The worker clears it, so that learner code in a check
    child cannot reach the worker's protocol pipes through /proc; each child sets it again."""
    return _prctl(_PR_SET_DUMPABLE, 1 if flag else 0)


def set_parent_death_signal(sig: int) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies."""
    return _prctl(_PR_SET_PDEATHSIG, sig)


def stat(pid: int) -> tuple[str, int, int] | None:
    """``(state, ppid, pgid)`` of a process, or None when it is gone."""
    text = _read(f"/proc/{pid}/stat")
    if not text:
        return None
    try:
        rest = text[text.rindex(")") + 2 :].split()
        return rest[0], int(rest[1]), int(rest[2])
    except (ValueError, IndexError):
        return None


def is_alive(pid: int) -> bool:
    """True when the process exists and is not a zombie."""
    info = stat(pid)
    return info is not None and info[0] not in ("Z", "X")


def _all_pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def children(pid: int) -> list[int]:
    """Direct children of a process (of all its threads)."""
    if not _HAVE_CHILDREN_FILE:
        return [p for p in _all_pids() if (info := stat(p)) is not None and info[1] == pid]
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for tid in tids:
        text = _read(f"/proc/{pid}/task/{tid}/children")
        if text:
            found.extend(int(p) for p in text.split())
    return found


def descendants(root: int) -> list[int]:
    """Every process below ``root`` in the process tree, zombies included."""
    if not _HAVE_CHILDREN_FILE:
        by_parent: dict[int, list[int]] = {}
        for p in _all_pids():
            info = stat(p)
            if info is not None:
                by_parent.setdefault(info[1], []).append(p)
        lookup = lambda p: by_parent.get(p, [])  # noqa: E731
    else:
        lookup = children
    seen: set[int] = set()
    order: list[int] = []
    stack = list(lookup(root))
    while stack:
        p = stack.pop()
        if p in seen or p == root:
            continue
        seen.add(p)
        order.append(p)
        stack.extend(lookup(p))
    return order


def group_members(pgid: int, *, live_only: bool = False) -> list[int]:
    """Every process whose process group is ``pgid`` (a scan of all of /proc)."""
    found = []
    for p in _all_pids():
        info = stat(p)
        if info is not None and info[2] == pgid:
            if live_only and info[0] in ("Z", "X"):
                continue
            found.append(p)
    return found


def anon_memory_kb(pid: int) -> tuple[int, int]:
    """``(RssAnon, RssShmem)`` of a process in KiB; cheap (reads /proc/<pid>/status).

    A forked child starts with the parent's anonymous pages counted in its RssAnon
    (they are shared copy-on-write), so callers subtract the parent's figures taken
    at fork time.
    """
    text = _read(f"/proc/{pid}/status")
    anon = shmem = 0
    if text:
        for line in text.splitlines():
            if line.startswith("RssAnon:"):
                anon = int(line.split()[1])
            elif line.startswith("RssShmem:"):
                shmem = int(line.split()[1])
    return anon, shmem


def proportional_memory_kb(pid: int) -> int:
    """Pss_Anon + Pss_Shmem of a process in KiB (reads /proc/<pid>/smaps_rollup).

    Proportional set sizes add up exactly over a set of processes that share pages,
    so summing them over the worker and its check counts shared pages once. It costs
    the kernel a page-table walk (milliseconds for a process that imported torch),
    so it is only used to confirm what the cheap estimate suggests.
    """
    text = _read(f"/proc/{pid}/smaps_rollup")
    if not text:
        return sum(anon_memory_kb(pid))
    total = 0
    saw = False
    for line in text.splitlines():
        if line.startswith(("Pss_Anon:", "Pss_Shmem:")):
            total += int(line.split()[1])
            saw = True
    return total if saw else sum(anon_memory_kb(pid))


def command_line(pid: int) -> str:
    """The command line of a process, for telling a learner what was left running."""
    text = _read(f"/proc/{pid}/cmdline")
    if text:
        words = [w for w in text.split("\0") if w]
        if words:
            return " ".join(words)
    comm = _read(f"/proc/{pid}/comm")
    return comm.strip() if comm else f"process {pid}"


def reap_children() -> None:
    """Collect the exit status of every child that has already exited (no zombies)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _sigkill(pids: list[int]) -> None:
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def kill_everything(pgid: int, root: int, *, subreaper: bool = True, timeout: float = 3.0) -> bool:
    """SIGKILL process group ``pgid`` and every descendant of ``root``; reap them.

    Repeats ``killpg(pgid, SIGKILL)`` until the kernel answers ESRCH, so that processes
    forked while we were killing (a fork loop) die too, and kills descendants of
    ``root`` that left the group (``setsid``). When ``root`` (this process) is a
    subreaper, orphans come back to it and are reaped here, so nothing is left, not
    even a zombie; otherwise zombies handed to init are left to init. Returns False
    if something was still alive after ``timeout`` seconds of trying.
    """
    deadline = time.monotonic() + timeout
    while True:
        group_gone = False
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            group_gone = True
        except PermissionError:
            group_gone = not group_members(pgid, live_only=True)
        reap_children()
        _sigkill(descendants(root))
        reap_children()
        left = descendants(root)
        if group_gone and not left:
            return True
        if not subreaper and not any(is_alive(p) for p in left):
            if group_gone or not group_members(pgid, live_only=True):
                return True  # only zombies that belong to init remain
        if time.monotonic() > deadline:
            return not any(is_alive(p) for p in left) and not group_members(pgid, live_only=True)
        time.sleep(0.002)


def kill_tree(root: int, groups: tuple[int, ...] = (), *, timeout: float = 1.0) -> bool:
    """SIGKILL every live descendant of ``root`` and every process in ``groups``; reap them.

    For a process that is about to exit (the worker when its parent died, or when it was told
    to stop): whatever it started, and whatever that started, must not outlive it. Safe to call
    from a signal handler or another thread. ``root``'s own process group is never signalled
    (it is the front end's). Returns False if something was still alive after ``timeout``.
    """
    own_group = os.getpgid(0)
    deadline = time.monotonic() + timeout
    while True:
        for pgid in groups:
            if pgid != own_group:
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except OSError:
                    pass
        live = [p for p in descendants(root) if is_alive(p)]
        live += [p for pgid in groups if pgid != own_group for p in group_members(pgid, live_only=True)]
        _sigkill(live)
        reap_children()
        if not live:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


def watch_parent(parent: int, on_death, *, poll: float = 0.1) -> bool:
    """Call ``on_death()`` (in a daemon thread) as soon as process ``parent`` has exited.

    Uses a pidfd where the kernel has one (woken the moment the parent exits), else looks at
    ``getppid()`` every ``poll`` seconds (a process whose parent died is re-parented). Unlike
    ``PR_SET_PDEATHSIG``, which fires when the *thread* that started us ends, this watches the
    process: a front end may start its runner from a short-lived thread. Returns False, after
    calling ``on_death()`` at once, when ``parent`` is already gone.
    """
    import select
    import threading

    if os.getppid() != parent:
        on_death()
        return False
    try:
        pidfd = os.pidfd_open(parent)
    except (AttributeError, OSError):
        pidfd = -1

    def wait() -> None:
        if pidfd >= 0:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            while not poller.poll(1000):
                pass
        else:
            while os.getppid() == parent:
                time.sleep(poll)
        on_death()

    threading.Thread(target=wait, name="torchtutor-parent-watch", daemon=True).start()
    return True

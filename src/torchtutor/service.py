"""The warm local service: how a command-line call reaches a running ``torchtutor serve``.

While ``torchtutor serve`` (or ``start``) runs, it listens on a Unix socket and writes
``.torchtutor/serve.json`` in the workspace (mode 0600: the socket path, its pid, the
page URL). ``torchtutor check``, ``hint`` and ``quiz --answer`` first look for that file
and, when a server answers, send it their arguments (the interactive ``quiz`` asks it to
evaluate each predict check, :func:`evaluate_through`): the server checks with its warm
runner, records progress once, shows the verdict in every open page, and sends back
the text to print. When no server runs (or it does not answer within a moment) the
command falls back to doing the work itself, exactly as before.

This module is imported before anything heavy (no torch, typer, rich or pydantic), so
that a check answered by the server costs a Python start and one round trip.

Protocol: one JSON object per line each way. Request ``{"op": "check" | "hint" | "quiz" | "evaluate",
"args": {...}, "cwd": ..., "width": ..., "color": ...}``; reply ``{"exit": N, "stdout":
TEXT, "stderr": TEXT}``.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

MARKER = ".torchtutor"
ENV_VAR = "TORCHTUTOR_WORKSPACE"
REGISTRY = "serve.json"
CONNECT_TIMEOUT = 0.5
OPS = ("check", "hint", "quiz")


def find_root(explicit: str | os.PathLike | None = None, env: dict | None = None,
              cwd: Path | None = None) -> tuple[Path | None, str]:
    """Where the workspace should be: ``(root, source)`` with source ``explicit``, ``env`` or
    ``search``. For ``search`` the root is None when no folder above ``cwd`` holds ``.torchtutor/``.
    The root is not checked for explicit and env; :func:`torchtutor.workspace.discover` explains."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser().resolve(), "explicit"
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]).expanduser().resolve(), "env"
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_dir():
            return folder, "search"
    return None, "search"


def registry_path(root: Path) -> Path:
    return Path(root) / MARKER / REGISTRY


def socket_path(root: Path) -> Path:
    """A short path for the socket (Unix sockets allow about 100 bytes): under the user's
    runtime folder, named by the workspace."""
    import hashlib

    base = os.environ.get("XDG_RUNTIME_DIR") or f"/tmp/torchtutor-{os.getuid()}"
    digest = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return Path(base) / f"torchtutor-{digest}.sock"


def read_registry(root: Path) -> dict | None:
    try:
        data = json.loads(registry_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("socket"), str) else None


def request(root: Path, op: str, args: dict, timeout: float = 330.0) -> dict | None:
    """Send one request to the workspace's server; None when no server answers."""
    info = read_registry(root)
    if info is None:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT)
        sock.connect(info["socket"])
        sock.settimeout(timeout)
        width = os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else 100
        message = {"op": op, "args": args, "cwd": os.getcwd(), "width": width,
                   "color": sys.stdout.isatty() and not os.environ.get("NO_COLOR")}
        sock.sendall((json.dumps(message) + "\n").encode("utf-8"))
        buffer = bytearray()
        while not buffer.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            buffer.extend(chunk)
        reply = json.loads(buffer.decode("utf-8"))
        return reply if isinstance(reply, dict) else None
    except (OSError, ValueError):
        return None
    finally:
        sock.close()


def running_server(root: Path) -> dict | None:
    """The registry of the server that serves ``root`` right now (it answered a ping), else None."""
    reply = request(root, "ping", {}, timeout=2.0)
    return reply if reply and reply.get("exit") == 0 and reply.get("url") else None


def evaluate_through(root: Path, fallback=None):
    """A quiz ``Evaluate`` (``(lesson, check) -> (value, printed output)``) that runs a predict
    check's code in the warm runner of the server serving ``root``; when no server answers (or
    it does not know the check), ``fallback`` does (default: this process, as ``torchtutor quiz``
    always did). A failing check code raises CheckCodeError either way."""
    def evaluate(lesson, check):
        from .curriculum.evaluate import CheckCodeError, run_check_code

        reply = request(root, "evaluate", {"lesson": lesson.slug, "check": check.id}, timeout=60.0)
        if reply is not None and reply.get("exit") == 0 and "value" in reply:
            value = reply["value"]
            return (tuple(value) if check.answer_kind == "shape" else value), str(reply.get("output") or "")
        if reply is not None and reply.get("kind") == "check-code":
            raise CheckCodeError(str(reply.get("message")))
        return (fallback or run_check_code)(lesson, check)
    return evaluate


def _parse(argv: list[str]) -> tuple[str | None, str, dict] | None:
    """Read the few argument shapes the service answers; None for anything else (the full CLI handles it).

    ``[-w DIR] check [ID] [--json]``, ``[-w DIR] hint [ID]``,
    ``[-w DIR] quiz [LESSON] --check ID --answer TEXT [--mark M] [--json]``; ``-w`` may also follow the command.
    """
    workspace, op, positional, flags = None, None, [], {}
    takes_value = {"--check", "--answer", "--mark"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-w", "--workspace"):
            if i + 1 >= len(argv):
                return None
            workspace, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--workspace="):
            workspace, i = arg.partition("=")[2], i + 1
            continue
        if op is None:
            if arg not in OPS:
                return None
            op, i = arg, i + 1
            continue
        if arg == "--json":
            flags["json"], i = True, i + 1
            continue
        key, eq, value = arg.partition("=")
        if key in takes_value and op == "quiz":
            if not eq:
                if i + 1 >= len(argv):
                    return None
                value, i = argv[i + 1], i + 1
            flags[key[2:]] = value
            i += 1
            continue
        if arg.startswith("-"):
            return None  # --help and anything unusual: the full CLI
        positional.append(arg)
        i += 1
    if op is None or len(positional) > 1 or (op == "hint" and flags.get("json")):
        return None
    if op == "quiz" and ("answer" not in flags or "check" not in flags):
        return None  # the interactive quiz runs in this process
    key = positional[0] if positional else None
    if key and key.endswith(".py"):
        key = str(Path(key).expanduser().resolve())
    args = {"key": key, **flags}
    return workspace, op, args


def try_service(argv: list[str]) -> int | None:
    """Answer ``argv`` through a running server; the exit status, or None to run the full CLI."""
    parsed = _parse(argv)
    if parsed is None:
        return None
    workspace, op, args = parsed
    try:
        root, _source = find_root(workspace)
    except (OSError, ValueError):  # a path no folder can have: the full CLI explains it
        return None
    if root is None:
        return None
    reply = request(root, op, args)
    if reply is None or not isinstance(reply.get("exit"), int) or reply["exit"] == 3:
        return None  # no server, or it failed inside: the full CLI does the work (and reports any bug itself)
    sys.stdout.write(reply.get("stdout", ""))
    sys.stdout.flush()
    if reply.get("stderr"):
        sys.stderr.write(reply["stderr"])
    return reply["exit"]

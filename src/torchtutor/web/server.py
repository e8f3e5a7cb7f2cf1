"""Run the web reader: bind 127.0.0.1, print the URL with its token, serve until Ctrl+C.

While it runs, the server also answers the local socket service
(:mod:`torchtutor.workspace.service`), so ``torchtutor check`` and friends use its
warm runner instead of starting torch again.
"""

from __future__ import annotations

import errno
import socket
import webbrowser
from dataclasses import dataclass
from typing import Callable

from ..workspace import Workspace, WorkspaceError

DEFAULT_PORT = 8765


def bind(port: int | None) -> socket.socket:
    """A listening socket on 127.0.0.1 (never another interface). ``None``: the default
    port, else any free one; an explicit port that is taken is an error."""
    candidates = [DEFAULT_PORT, 0] if port is None else [port]
    last: OSError | None = None
    for candidate in candidates:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            # accepted connections inherit this: small replies (a widget call) must not wait for a delayed ACK
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind(("127.0.0.1", candidate))
            sock.listen(64)
            sock.setblocking(False)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    if last is not None and last.errno == errno.EADDRINUSE:
        raise WorkspaceError(f"Port {port} on 127.0.0.1 is already in use. Pick another with --port N, "
                             "or leave --port out to take a free one.")
    raise WorkspaceError(f"Cannot listen on 127.0.0.1:{port}: {last}. Pick another port with --port N.")


def _Server(config, reader):
    """uvicorn's server, which also tells ``reader`` the moment a stop is asked for, so that open
    event streams end before the server waits for its connections (otherwise each open page
    holds the exit for the graceful timeout and then dies with a CancelledError traceback)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            reader.stopping()
            super().handle_exit(sig, frame)

    return Server(config)


@dataclass
class Served:
    url: str
    port: int
    token: str


def serve(ws: Workspace, *, port: int | None = None, open_browser: bool = True, watch: bool = True,
          on_ready: Callable[[Served, bool], None] | None = None, on_verdict: Callable | None = None,
          token: str | None = None) -> None:
    """Serve ``ws`` until interrupted. ``on_ready(served, browser_opened)`` is called once listening."""
    import uvicorn

    from ..runner import Runner
    from .service import ServiceServer
    from .app import Reader, create_app
    from .reader import has_display
    from .security import new_token

    sock = bind(port)
    actual = sock.getsockname()[1]
    token = token or new_token()
    url = f"http://127.0.0.1:{actual}/?token={token}"
    with Runner() as runner:
        reader = Reader(ws, runner, on_verdict=on_verdict, watch=watch)
        app = create_app(reader, token=token, port=actual)
        service = ServiceServer(ws, check=reader.check, url=url, evaluate=reader.evaluate)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=1)
        server = _Server(config, reader)
        opened = False
        service.start()
        try:
            if open_browser and has_display():
                try:
                    opened = bool(webbrowser.open(url))
                except webbrowser.Error:
                    opened = False
            if on_ready is not None:
                on_ready(Served(url=url, port=actual, token=token), opened)
            server.run(sockets=[sock])
        finally:
            service.close()
            sock.close()

"""The ``serve`` command (and what ``start`` runs by default): the web reader for a workspace."""


import sys
from typing import Annotated, Optional

import typer

PortOpt = Annotated[Optional[int], typer.Option(
    "--port", "-p", show_default=False, min=0, max=65535,
    help="Port on 127.0.0.1 (default: 8765, or a free one if that is taken; 0: any free port).")]


def serve_workspace(ws, *, port: Optional[int], open_browser: bool) -> None:
    """Serve ``ws`` in the foreground, printing the URL and every verdict, until Ctrl+C."""
    from . import cli, render
    from .service import running_server
    from .web.server import serve

    other = running_server(ws.root)
    if other is not None:      # one server per workspace: point at the one that runs
        cli.console.print(f"This workspace is already served (process {other['pid']}) at  {other['url']}",
                          highlight=False, soft_wrap=True)
        if open_browser:
            from .web.reader import has_display

            if has_display():
                import webbrowser

                webbrowser.open(other["url"])
        return

    def ready(served, opened):
        cli.console.print(f"The course is served at  {served.url}", highlight=False, soft_wrap=True)
        cli.console.print("Opened it in your browser." if opened else
                          "Open that link in your browser (it carries this session's token).", style="dim")
        cli.console.print(f"Save an exercise in any editor (or in the page): the verdict appears there and here. "
                          "`torchtutor check` uses this server's warm runner while it runs. Ctrl+C stops.", style="dim")
        sys.stdout.flush()

    def printed(lesson, ex, verdict):
        render.verdict(cli.console, verdict)
        sys.stdout.flush()  # a pipe or log file sees each verdict at once

    try:
        serve(ws, port=port, open_browser=open_browser, on_ready=ready, on_verdict=printed)
    except KeyboardInterrupt:
        pass
    cli.console.print("Stopped the server. Your progress is saved.")
    _exit_now(ws)


def _exit_now(ws) -> None:
    """End the process now that the server, its runner and its watcher have stopped.

    The server imported torch for the widgets, and an interpreter that has imported torch
    takes about a second to tear itself down, so Ctrl+C would not end the server within a
    second. Everything that must reach the disk is closed here (the progress store, the log,
    the output streams); nothing else is left to finalise.
    """
    import logging
    import os

    try:
        ws.close()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        logging.shutdown()
        os._exit(0)


def register(app: typer.Typer) -> None:
    from . import cli

    @app.command()
    def serve(ctx: typer.Context, port: PortOpt = None,
              no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the URL but do not open a browser.")] = False,
              workspace: cli.WorkspaceOpt = None):
        """Serve the course in your browser: lessons, widgets, live verdicts, an editor. Bound to 127.0.0.1 only."""
        serve_workspace(cli._ws(ctx, workspace), port=port, open_browser=not no_browser)

"""The browser front end: ``torchtutor serve``, a local web app for one workspace.

- :mod:`.server`: bind 127.0.0.1, print the URL with its token, run uvicorn;
- :mod:`.app`: the Starlette routes (pages, JSON API, server-sent verdicts) around one warm runner and watcher;
- :mod:`.security`: the token, Host, Origin and CSP gate;
- :mod:`.pages`, :mod:`.conceptmap`, :mod:`.diagrams`: HTML and SVG;
- :mod:`.service`: the Unix-socket service that CLI commands use while the server runs;
- :mod:`.reader`: the static page that ``start --no-serve`` writes;
- ``static/``: app.js, the anywidget-format widget modules and the vendored editor bundle.
"""

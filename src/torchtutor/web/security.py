"""The gate in front of every request of the web reader.

The server runs code, so it refuses what Jupyter Server refuses, and more:

- **Token.** ``/?token=T`` (the URL ``torchtutor serve`` prints) is compared with the
  session token in constant time and exchanged for an HttpOnly, SameSite=Strict cookie
  holding a second random secret; the browser is redirected to the same path without
  the token, so it does not linger in history. Every other request needs the cookie.
  The cookie's name carries the port, because cookies are not separated by port.
- **Host.** Only ``localhost``, ``127.0.0.1`` or ``[::1]`` with the server's port (the
  DNS-rebinding defence: a page on ``attacker.example`` that rebinds its name to
  127.0.0.1 still sends ``Host: attacker.example``).
- **Origin.** Every request that is not GET/HEAD changes state or runs code, and must
  carry an ``Origin`` equal to ``http://`` + its Host. No CORS headers are ever sent.
- **Headers.** A Content-Security-Policy with no inline scripts and no remote sources,
  ``nosniff``, no framing, no referrer.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qsl, urlencode

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
SAFE_METHODS = ("GET", "HEAD")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def allowed_hosts(port: int) -> set[str]:
    return {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class Gate:
    """ASGI middleware: host, origin and token checks, and the security headers on every response."""

    def __init__(self, app, *, token: str, port: int):
        self.app = app
        self.token = token
        self.port = port
        self.session = secrets.token_urlsafe(32)
        self.cookie = f"torchtutor-{port}"
        self.hosts = allowed_hosts(port)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        if scope["type"] != "http":      # no websockets (or anything else) at all
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if host not in self.hosts:
            return await self._refuse(send, 403, "This torchtutor server answers only to localhost, 127.0.0.1 or "
                                      f"[::1] on port {self.port}; the Host header {host!r} is not one of them.")
        method = scope["method"].upper()
        if method not in SAFE_METHODS and headers.get("origin") != f"http://{host}":
            return await self._refuse(send, 403, "Refused: a request that changes something or runs code must "
                                      "come from this server's own pages (its Origin header must match).")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query and method in SAFE_METHODS:
            if not _same(query["token"], self.token):
                return await self._refuse(send, 403, "That token is not this server's. Open the URL that "
                                          "`torchtutor serve` (or `torchtutor start`) printed.")
            rest = {k: v for k, v in query.items() if k != "token"}
            location = scope.get("path", "/") + ("?" + urlencode(rest) if rest else "")
            cookie = f"{self.cookie}={self.session}; HttpOnly; SameSite=Strict; Path=/"
            return await self._respond(send, 303, b"", [(b"location", location.encode()), (b"set-cookie", cookie.encode())])
        if not _same(self._cookie(headers.get("cookie", "")), self.session):
            return await self._refuse(send, 401, "This torchtutor server needs its token. Open the URL that "
                                      "`torchtutor serve` (or `torchtutor start`) printed: it ends in ?token=…")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [h for h in message.get("headers", [])
                                      if not h[0].lower().startswith(b"access-control-")] + SECURITY_HEADERS
            await send(message)

        return await self.app(scope, receive, send_with_headers)

    def _cookie(self, raw: str) -> str | None:
        for part in raw.split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.cookie:
                return value
        return None

    async def _refuse(self, send, status: int, text: str):
        body = text.encode("utf-8")
        await self._respond(send, status, body, [(b"content-type", b"text/plain; charset=utf-8")])

    async def _respond(self, send, status: int, body: bytes, headers: list):
        await send({"type": "http.response.start", "status": status,
                    "headers": headers + [(b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
                    + SECURITY_HEADERS})
        await send({"type": "http.response.body", "body": body})

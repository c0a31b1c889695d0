"""``nnplay serve``: textual-serve's ``Server`` with two guards, the page's own origin and a session cap.

The rules:

- A websocket starts an app that reads and writes files as the user, so one is accepted only when
  its ``Origin`` header is one of the page's own origins: ``--public-url``'s, the listening
  ``http://HOST:PORT`` (unless HOST is a wildcard), and, when HOST is a loopback address, the
  loopback names at that port (``localhost``, ``127.0.0.1``, ``[::1]``). Anything else, a page of
  another site open in the user's browser, a name rebound to this address by DNS, ``null`` or no
  ``Origin`` at all, gets HTTP 403 before any app process starts. (A browser always sends
  ``Origin`` with a websocket, and a page cannot set it.)
- At most ``max_sessions`` apps run at once: each is a process of 100-170 MB. A session holds its
  slot from its app's start until that process has ended. A page or websocket that arrives while
  every slot is taken waits up to ``SLOT_WAIT`` seconds for one (a reloaded page's old app is
  still quitting), then gets the message instead of an app: the page is served as a short
  HTTP 503 page, and a websocket gets the message written into its terminal and no process.

textual-serve stays the engine: this subclass only guards its two handlers.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import sys
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

DEFAULT_MAX_SESSIONS = 4
SLOT_WAIT = 3.0  # seconds a newcomer waits for a slot; a reloaded page's old app quits in about 1.5 s
WILDCARDS = ("0.0.0.0", "::", "")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def origin_of(url: str) -> str | None:
    """A URL's origin as browsers send it (``scheme://host[:port]``, no default port), or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    default = 80 if scheme == "http" else 443
    return f"{scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def page_origins(host: str, port: int, public_url: str) -> frozenset[str]:
    """The origins a page served by this server has, whichever way the browser reached it."""
    urls = [public_url]
    if host not in WILDCARDS:
        urls.append(f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}")
    if is_loopback(host):
        urls += [f"http://{name}:{port}" for name in LOOPBACK_NAMES]
    return frozenset(o for o in map(origin_of, urls) if o)


class Slots:
    """A count of running sessions with a limit; a newcomer may wait a while for a free one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._changed = asyncio.Condition()

    async def wait(self, seconds: float, take: bool) -> bool:
        """Whether a slot was free within ``seconds`` (and, with ``take``, now this caller's)."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.used < self.limit), seconds)
            except TimeoutError:
                return False
            if take:
                self.used += 1
            return True

    async def release(self) -> None:
        async with self._changed:
            self.used -= 1
            self._changed.notify_all()


class GuardedServer(Server):
    """textual-serve's server for nnplay: the page's own origin only, and ``max_sessions`` apps at most."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        public_url: str,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        title: str = "nnplay",
    ) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.origins = page_origins(host, port, public_url)
        self.slots = Slots(max_sessions)

    def busy_text(self) -> str:
        n = self.slots.limit
        return (
            f"nnplay serve: all {n} session{'s are' if n != 1 else ' is'} in use (--max-sessions {n}); "
            "close one (its browser tab), then reload this page."
        )

    def say(self, line: str) -> None:
        print(f"nnplay serve: {line}", file=sys.stderr, flush=True)

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if not await self.slots.wait(SLOT_WAIT, take=False):
            return web.Response(
                status=503,
                content_type="text/html",
                headers={"Retry-After": "10"},
                text=f"<!DOCTYPE html><html><head><title>nnplay: busy</title></head>"
                f"<body><p>{html.escape(self.busy_text())}</p></body></html>\n",
            )
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin_of(origin or "") not in self.origins:
            self.say(f"refused a websocket from Origin {origin!r}: not this page's ({', '.join(sorted(self.origins))})")
            raise web.HTTPForbidden(text=f"nnplay serve: websocket refused: Origin {origin!r} is not this page's\n")
        if not await self.slots.wait(SLOT_WAIT, take=True):
            self.say(f"refused a session: {self.slots.limit} already running (--max-sessions)")
            return await self._busy_websocket(request)
        try:
            return await super().handle_websocket(request)  # returns once the app's process has ended
        finally:
            await self.slots.release()

    async def _busy_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """The message in the browser's terminal, and no app; held open so the page keeps showing it
        (a closed websocket covers the terminal with textual-serve's "Session ended" dialog)."""
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        await websocket.send_bytes(("\x1b[2J\x1b[H\x1b[?25l" + self.busy_text() + "\r\n").encode())
        async for _ in websocket:  # whatever the page sends, until it goes
            pass
        return websocket

"""``nnplay serve``: textual-serve's ``Server`` with two guards, the page's own origin and a connection cap.

The rules:

- A websocket starts an app that reads and writes files as the user, so one is accepted only when
  its ``Origin`` header is one of the page's own origins: ``--public-url``'s, the listening
  ``http://HOST:PORT`` (unless HOST is a wildcard), and, when HOST is a loopback address, the
  loopback names at that port (``localhost``, ``127.0.0.1``, ``[::1]``). Anything else, a page of
  another site open in the user's browser, a name rebound to this address by DNS, ``null`` or no
  ``Origin`` at all, gets HTTP 403 before any app process starts. (A browser always sends
  ``Origin`` with a websocket, and a page cannot set it.)
- At most ``max_sessions`` apps run at once: each is a process of 100-170 MB. A connection holds its
  slot from its app's start until that process has ended. A page or websocket that arrives while
  every slot is taken waits up to ``SLOT_WAIT`` seconds for one (a reloaded page's old websocket
  may close just after the new page asks), and past that for as long as a session whose client
  has gone is still ending (its slot will be free, within the relay's bounded quit, however busy
  the machine). Otherwise it gets the message instead of an app: the page is served as a short
  HTTP 503 page, and a websocket gets the message written into its terminal and no process.
- Every size a client sends is bounded before the app sees it: the websocket's ``?width=&height=``
  here, each message in tui/serve/relay.py (by the rules of tui/serve/messages.py), which also
  ends a connection's app once its client has gone. When the server stops, every connection is ended
  the same way first: no app outlives the server.
- Every log line is one line: no traceback (an exception is named after the message), control
  characters shown as ``\\xNN`` (a URL or header is the client's text), at most ``LOG_LINE_MAX``
  characters. A request line or header over aiohttp's 8190 bytes is answered 400 by aiohttp with
  one such line. There is no access log: it would echo every URL a page makes the browser fetch.

textual-serve stays the engine: this subclass guards its two handlers and takes over four of its
seams, ``_process_messages`` (the message loop), ``initialize_logging``, ``on_shutdown`` and the
command it runs; tests/serve/test_seams.py trips if textual-serve changes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import html
import ipaddress
import logging
import sys
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from textual_serve.app_service import AppService
from textual_serve.server import Server

from nnplay.core.io.outside_text import printable
from nnplay.tui.serve.messages import Violation, query_size
from nnplay.tui.serve.relay import ClientConnection

DEFAULT_MAX_SESSIONS = 4
SLOT_WAIT = 3.0  # seconds a newcomer waits for a session to end or to start ending (its client gone)
WILDCARDS = ("0.0.0.0", "::", "")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
LOG_LINE_MAX = 300


def log_line(text: str) -> str:
    """``text`` as one printable line of at most LOG_LINE_MAX characters."""
    text = printable(text)
    return text if len(text) <= LOG_LINE_MAX else text[: LOG_LINE_MAX - 1] + "…"


class OneLineFormatter(logging.Formatter):
    """A log record as one line of nnplay serve's, its exception named instead of a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):  # a request aiohttp's parser refused
            text += f": answered {error.code} ({error.message})"
        elif error is not None:
            text += f" ({type(error).__name__}: {error})"
        return "nnplay serve: " + log_line(text)


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


class Slot:
    """One running session's place; ``ending`` once its client has gone and its app is being ended."""

    ending = False

    def client_gone(self) -> None:
        self.ending = True


# The slot of the websocket handled in this task: its handler takes it, its message loop marks it ending.
HANDLED_SLOT: contextvars.ContextVar[Slot] = contextvars.ContextVar("HANDLED_SLOT")


class Slots:
    """The running sessions' slots, at most ``limit``; a newcomer may wait a while for a free one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken: set[Slot] = set()
        self._changed = asyncio.Condition()

    @property
    def used(self) -> int:
        return len(self.taken)

    async def _wait_locked(self, seconds: float) -> bool:
        """Whether a slot is free within ``seconds``, or once the sessions already ending have ended."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while len(self.taken) >= self.limit:
            # An ending session frees its slot for sure (the relay's quit is bounded): wait for it.
            left = None if any(slot.ending for slot in self.taken) else deadline - loop.time()
            if left is not None and left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return True

    async def wait(self, seconds: float) -> bool:
        """Whether a slot was free within ``seconds`` (see ``_wait_locked``); it stays free for anyone."""
        async with self._changed:
            return await self._wait_locked(seconds)

    async def take(self, seconds: float) -> Slot | None:
        """A free slot, now this caller's, as ``wait`` finds one; None if there was none."""
        async with self._changed:
            if not await self._wait_locked(seconds):
                return None
            slot = Slot()
            self.taken.add(slot)
            return slot

    async def release(self, slot: Slot) -> None:
        async with self._changed:
            self.taken.discard(slot)
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
        # exec: the app's process replaces textual-serve's shell, so a signal to its process reaches the app.
        super().__init__(f"exec {command}", host=host, port=port, title=title, public_url=public_url)
        self.origins = page_origins(host, port, public_url)
        self.slots = Slots(max_sessions)
        self.connections: set[ClientConnection] = set()

    def busy_text(self) -> str:
        n = self.slots.limit
        return (
            f"nnplay serve: all {n} session{'s are' if n != 1 else ' is'} in use (--max-sessions {n}); "
            "close one (its browser tab), then reload this page."
        )

    def say(self, line: str) -> None:
        print(f"nnplay serve: {log_line(line)}", file=sys.stderr, flush=True)

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: ``nnplay serve`` has said where to point a browser (textual-serve prints its logo and
        the shell command here)."""

    def initialize_logging(self) -> None:
        """textual-serve's and aiohttp's records as one line each on stderr, and no access log."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneLineFormatter())
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if not await self.slots.wait(SLOT_WAIT):
            return web.Response(
                status=503,
                content_type="text/html",
                headers={"Retry-After": "10"},
                text=f"<!DOCTYPE html><html><head><title>nnplay: busy</title></head>"
                f"<body><p>{html.escape(self.busy_text())}</p></body></html>\n",
            )
        return await super().handle_index(request)

    # textual-serve annotates a WebSocketResponse; aiohttp serves any StreamResponse (here, a refusal).
    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        origin = request.headers.get("Origin")
        if origin_of(origin or "") not in self.origins:
            self.say(f"refused a websocket from Origin {origin!r}: not this page's ({', '.join(sorted(self.origins))})")
            raise web.HTTPForbidden(text=f"nnplay serve: websocket refused: Origin {origin!r} is not this page's\n")
        try:
            if not web.WebSocketResponse().can_prepare(request).ok:
                raise Violation("not a websocket handshake")
            width, height = query_size(request.query)
        except Violation as exc:
            self.say(f"refused a websocket: {exc}")
            raise web.HTTPBadRequest(text=f"nnplay serve: websocket refused: {exc}\n") from None
        # The app starts at the clamped size: textual-serve reads it from the query.
        request = request.clone(rel_url=request.rel_url.update_query(width=width, height=height))
        slot = await self.slots.take(SLOT_WAIT)
        if slot is None:
            self.say(f"refused a session: {self.slots.limit} already running (--max-sessions)")
            return await self._busy_websocket(request)
        HANDLED_SLOT.set(slot)
        try:
            return await super().handle_websocket(request)  # returns once the app's process has ended
        finally:
            await self.slots.release(slot)

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """textual-serve's message loop, replaced: each message checked, the app ended when the client goes."""
        connection = ClientConnection(websocket, app_service, self.say, on_client_gone=HANDLED_SLOT.get().client_gone)
        self.connections.add(connection)
        try:
            await connection.run()
        finally:
            self.connections.discard(connection)

    async def on_shutdown(self, app: web.Application) -> None:
        """The server is stopping (ctrl+c, SIGTERM): every connection's client is sent away and its app ended,
        before aiohttp cancels the handlers (an app left running would outlive its server)."""
        await asyncio.gather(*(connection.end() for connection in list(self.connections)))

    async def _busy_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """The message in the browser's terminal, and no app; held open so the page keeps showing it
        (a closed websocket covers the terminal with textual-serve's "Session ended" dialog)."""
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        await websocket.send_bytes(("\x1b[2J\x1b[H\x1b[?25l" + self.busy_text() + "\r\n").encode())
        async for _ in websocket:  # whatever the page sends, until it goes
            pass
        return websocket

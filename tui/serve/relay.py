"""One browser's connection to ``nnplay serve``: the client's messages, checked, passed to its app; the app
ended once the client has gone.

The rules:

- Each message is checked by tui/serve/messages.py before anything reaches the app. A message
  the page never sends ends the connection: one log line, and the websocket is closed with 1008
  (policy violation). Input over its size or rate is dropped whole, with one log line for each
  run of dropped frames; the connection goes on. An app that has stopped reading its input ends
  its connection too (after ``APP_STALL`` seconds), so a client that leaves is always noticed.
- Once the client has gone (or was sent away), the app's output is still read and thrown away,
  so the app's last writes never block its exit. The app is asked to quit (textual-serve's
  ``quit``); one still running ``QUIT_GRACE`` seconds later gets SIGTERM (the app exits as for
  ``q`` and keeps unsaved work in a recovery file, tui/terminal/signals.py), and one still running
  ``TERM_GRACE`` seconds after that gets SIGKILL. The connection ends when the app's process has.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import Awaitable, Callable

from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService

from nnplay.tui.serve.messages import (
    KEY_BURST,
    KEYS_PER_SECOND,
    RESIZE_INTERVAL,
    STDIN_FRAME_MAX,
    Focus,
    KeyBudget,
    Ping,
    Resize,
    Stdin,
    Violation,
    parse,
)

# The app's quit takes about 1.5 s on a loaded machine, and a full burst of keys queued ahead of
# it up to 12 s more (serve_messages); SIGTERM's exit is cut short by the app itself when its loop
# stops answering for 5 s (signals.EXIT_STALL).
QUIT_GRACE = 30.0
TERM_GRACE = 10.0
# The app reads its input in a thread of its own, whatever its main loop is doing: input that
# waits this long for room in its pipe will wait for good.
APP_STALL = 30.0


class ClientConnection:
    """A client's websocket and the app it drives (textual-serve's ``AppService``)."""

    def __init__(
        self,
        websocket: web.WebSocketResponse,
        app: AppService,
        say: Callable[[str], None],
        on_client_gone: Callable[[], None] = lambda: None,
    ) -> None:
        self.websocket, self.app, self.say = websocket, app, say
        self.on_client_gone = on_client_gone  # called once the client has gone, as its app's ending starts
        self.budget = KeyBudget()
        self.dropping = False
        self.pending_size: Resize | None = None
        self.last_resize = -math.inf
        self.resizer: asyncio.Task[None] | None = None
        self.ended = asyncio.Event()
        # Output goes to the client while it is there, and is read and dropped after.
        app.remote_write_bytes = self._to_client_bytes
        app.remote_write_str = self._to_client_str

    async def _to_client_bytes(self, data: bytes) -> None:
        if not self.websocket.closed:
            with contextlib.suppress(ConnectionError):
                await self.websocket.send_bytes(data)

    async def _to_client_str(self, data: str) -> None:
        if not self.websocket.closed:
            with contextlib.suppress(ConnectionError):
                await self.websocket.send_str(data)

    async def run(self) -> None:
        """Relay the client's messages until it goes or breaks the rules, then end the app."""
        try:
            await self._relay()
        finally:
            if self.resizer is not None:
                self.resizer.cancel()
            self.on_client_gone()
            try:
                await self._end_app()
            finally:
                self.ended.set()

    async def end(self) -> None:
        """Send the client away (the server is stopping) and wait until the app has ended."""
        with contextlib.suppress(ConnectionError):
            await self.websocket.close(code=WSCloseCode.GOING_AWAY, message=b"nnplay serve stopped")
        await self.ended.wait()

    async def _relay(self) -> None:
        loop = asyncio.get_running_loop()
        async for frame in self.websocket:
            if frame.type == WSMsgType.ERROR:  # a frame over aiohttp's size limit, a broken frame
                self.say(f"ended a session: its websocket failed ({frame.data})")
                return
            try:
                if frame.type != WSMsgType.TEXT:
                    raise Violation("a binary frame")
                message = parse(frame.data)
            except Violation as exc:
                await self._refuse(str(exc))
                return
            match message:
                case Stdin(data=data, keys=keys):
                    if len(data) > STDIN_FRAME_MAX:
                        self._drop(f"a stdin frame of {len(data)} bytes (at most {STDIN_FRAME_MAX})")
                    elif not self.budget.take(keys, loop.time()):
                        self._drop(f"input over {KEYS_PER_SECOND:.0f} keys a second (after a burst of {KEY_BURST:.0f})")
                    else:
                        self.dropping = False
                        if not await self._to_app(self.app.send_bytes(data)):
                            return
                case Resize():
                    self._resize(message)
                case Ping(data=data):
                    await self._to_client_str(json.dumps(["pong", data]))
                case Focus(focused=focused):
                    if not self.budget.take(1, loop.time()):
                        continue
                    if not await self._to_app(self.app.focus() if focused else self.app.blur()):
                        return

    async def _to_app(self, sending: Awaitable[object]) -> bool:
        """Whether the app took what was sent within APP_STALL seconds; if not, it has stopped reading its
        input (the write waits for room in its pipe for good), and the connection ends with one line."""
        try:
            await asyncio.wait_for(sending, APP_STALL)
        except TimeoutError:
            self.say(f"ended a session: its app has not read its input for {APP_STALL:.0f} s")
            return False
        return True

    async def _refuse(self, what: str) -> None:
        self.say(f"ended a session: its browser sent {what}, which nnplay's page never sends")
        await self.websocket.close(code=WSCloseCode.POLICY_VIOLATION, message=b"not a message of nnplay's page")

    def _drop(self, what: str) -> None:
        if not self.dropping:
            self.say(f"dropped {what}; dropping more until it slows down")
        self.dropping = True

    def _resize(self, size: Resize) -> None:
        """Pass the latest size on, at most every RESIZE_INTERVAL seconds."""
        self.pending_size = size
        if self.resizer is None or self.resizer.done():
            self.resizer = asyncio.create_task(self._send_resizes())

    async def _send_resizes(self) -> None:
        loop = asyncio.get_running_loop()
        while self.pending_size is not None:
            wait = self.last_resize + RESIZE_INTERVAL - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            size, self.pending_size = self.pending_size, None
            self.last_resize = loop.time()
            await self.app.set_terminal_size(size.width, size.height)

    async def _end_app(self) -> None:
        process = self.app._process  # textual-serve's; tests/serve/test_seams.py trips if it goes
        if process is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.app.send_meta({"type": "quit"}), QUIT_GRACE)
        for grace, name, send in ((QUIT_GRACE, "SIGTERM", process.terminate), (TERM_GRACE, "SIGKILL", process.kill)):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), grace)
                return
            self.say(f"the app (pid {process.pid}) still ran {grace:.0f} s after its client left: {name}")
            with contextlib.suppress(ProcessLookupError):
                send()
        await process.wait()

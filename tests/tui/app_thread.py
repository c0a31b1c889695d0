"""A running Textual app driven from synchronous test code (hypothesis and plain tests share one app)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from nnplay.tui.widgets.notice_line import NoticeLine
from nnplay.tui.widgets.scatter_plot import ScatterPlot
from tests.tui.waiting import wait_until

# How long a check on the app may take: a deadline for a hung app, generous enough for a
# loaded machine (several checks take a minute there), never a claim about speed.
DEADLINE = 600.0


class AppThread:
    """One running app, driven from synchronous test code: ``run(fn, ...)`` awaits
    ``fn(pilot, ...)`` on the app's event loop and returns its result.
    (Starting an app costs about a second: a module of tests shares one.)"""

    def __init__(self, app: App[Any], size: tuple[int, int]) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._ready: concurrent.futures.Future[Pilot] = concurrent.futures.Future()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, args=(size,), name="app-under-test", daemon=True)
        self._thread.start()
        self.pilot = self._ready.result(timeout=DEADLINE)

    def _main(self, size: tuple[int, int]) -> None:
        async def serve() -> None:
            self._stop = asyncio.Event()
            try:
                async with self.app.run_test(size=size) as pilot:
                    await pilot.pause()
                    self._ready.set_result(pilot)
                    await self._stop.wait()
            except BaseException as exc:
                if not self._ready.done():
                    self._ready.set_exception(exc)
                raise

        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(serve())
        finally:
            self.loop.close()

    def run(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        async def call() -> Any:
            with self.app._context():  # widgets find their app through a context variable
                return await fn(self.pilot, *args)

        done = asyncio.run_coroutine_threadsafe(call(), self.loop)
        try:
            return done.result(timeout=DEADLINE)
        except concurrent.futures.TimeoutError:
            done.cancel()
            raise AssertionError(f"{getattr(fn, '__qualname__', fn)} did not finish within {DEADLINE} s") from None

    def close(self) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)


async def flush(pilot: Pilot, turns: int = 1000) -> None:
    """Handle every pending message, and the messages those post (an Input's Changed bubbles
    to the panel, which posts ConfigChanged, which bubbles to the app): until every message
    queue of the app and its screen has stayed empty for a few turns of the event loop.

    ``pilot.pause()`` would do too, but it waits for an idle CPU and repaints the screen each
    time (tens of ms); the panel tests check state, and call this hundreds of times.
    """
    app = pilot.app
    quiet = 0
    for _ in range(turns):
        await asyncio.sleep(0)
        if all(node._message_queue.empty() for node in (app, *app.screen.walk_children(with_self=True))):
            quiet += 1
            if quiet == 3:
                return
        else:
            quiet = 0
    raise AssertionError("the app's message queues never emptied")


async def settle(pilot: Pilot) -> None:
    """Handle pending UI messages, run the queued run-channel commands (the worker's job, here), draw a frame."""
    app = pilot.app
    await flush(pilot)
    app.channel._handle_commands(block=False)
    app.draw_frame()
    await flush(pilot)


async def without_notice(pilot: Pilot) -> None:
    """The notice line emptied, as at start, and the plot drawn at the size that gives it: a
    two-row notice left by one test would clear on its timer during the next, resizing the panes
    under that test's checks. (Call it after the frame whose notices are to go.)"""
    app = pilot.app
    notice, plot = app.query_one(NoticeLine), app.query_one(ScatterPlot)
    notice.clear()
    await wait_until(
        lambda: notice.region.height == 1 and plot.frame is not None and plot.frame.sizes.plot == tuple(plot.size),
        what="the notice line emptied, the plot drawn at its size",
        between=pilot.pause,
    )

"""Waiting on a running app from a test without Pilot's waits for an idle CPU (which never comes
while the worker trains): a condition polled, a key posted as the terminal driver posts it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from textual import events
from textual.pilot import Pilot
from textual.widget import Widget


async def wait_until(
    condition: Callable[[], bool],
    timeout: float = 60.0,
    what: str = "",
    between: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds naming ``what``.

    ``between`` runs before each new look (``settle`` for an app whose commands the test runs
    itself, ``pilot.pause`` to repaint). The timeout is a deadline for something that should
    happen, so make it generous: it is never a claim about speed."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        if between is not None:
            await between()
        await asyncio.sleep(0.01)  # (pilot.pause would also repaint the screen every time)


def in_panel_view(widget: Widget) -> bool:
    """Whether ``widget`` is on screen inside the parameter panel: laid out, not scrolled away, not under the footer."""
    app, region = widget.app, widget.region
    panel, footer = app.query_one("#panel"), app.query_one("BindingsFooter")
    return bool(region.height) and panel.region.contains_region(region) and not region.overlaps(footer.region)


async def wait_until_steady(
    pilot: Pilot,
    condition: Callable[[], bool],
    value: Callable[[], object] = lambda: None,
    timeout: float = 60.0,
    what: str = "",
    refreshes: int = 3,
) -> None:
    """Wait until ``condition`` holds, no layout is pending and ``value()`` has stayed the same over
    ``refreshes`` repaints in a row: for what the app finishes some refreshes after the change that
    set it off (the panel scrolls a focused field into view after a refresh; a focus relabels the
    footer, which lays the screen out), which a single look can catch half done."""
    unset = object()
    last: object = unset
    steady = 0

    def settled() -> bool:
        nonlocal last, steady
        now = value() if condition() and not pilot.app.screen._layout_required else unset
        steady = steady + 1 if now is not unset and now == last else 0
        last = now
        return steady >= refreshes

    await wait_until(settled, timeout, what, between=pilot.pause)


async def holds_within(condition: Callable[[], bool], timeout: float, **wait: object) -> bool:
    """Whether ``condition`` comes to hold within ``timeout`` seconds (for a check that reports a
    problem rather than failing at once)."""
    try:
        await wait_until(condition, timeout, **wait)  # type: ignore[arg-type]
    except AssertionError:
        return condition()
    return True


async def send_key(pilot: Pilot, key: str, character: str | None = None) -> None:
    """Post a key event the way the terminal driver does (``pilot.press`` would wait for an
    idle CPU, a second per key while the worker trains)."""
    pilot.app.post_message(events.Key(key, character if character is not None else key))
    await asyncio.sleep(0)


async def send_click(pilot: Pilot, x: int, y: int) -> None:
    """A click at (x, y) on the screen, posted the way the terminal driver does: a press and a
    release, which the app turns into a click on the widget under both. (``pilot.click`` hands the
    events to the screen that was current when it began, even one a key closed meanwhile.)"""
    where = {"widget": None, "x": x, "y": y, "delta_x": 0, "delta_y": 0, "button": 1, "shift": False,
             "meta": False, "ctrl": False, "screen_x": x, "screen_y": y}  # fmt: skip
    pilot.app.post_message(events.MouseDown(**where))
    pilot.app.post_message(events.MouseUp(**where))
    await asyncio.sleep(0)

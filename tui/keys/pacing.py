"""The keys typed while the app starts, held until its panel is up and handed on one at a time.

The standalone app composes the panel's fields after the first frame; a key typed before them
would go to the app ("." in "0.25" is time travel) or to a field that is not there. ``KeyPacer``
holds every key until ``open``, then hands each on once the one before has been handled: Textual
sends a key to the focused widget and runs the app's bindings once it has bubbled back up, a
queue a hop, and the key behind a tab must find the focus moved. A key that acts on the run alone
(space, n, e, t: ``key_table.RUN_ONLY_KEYS``) with no key held before it is not held: it means the same
before the fields exist, and space pressed as the plot appears must start training then, not
once the panel is composed (1-4 s later on a busy machine).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from textual import events
from textual.app import App

from nnplay.tui.keys.key_table import RUN_ONLY_KEYS

# A key goes from the app to the focused widget and bubbles back up through its containers: a
# queue a hop. Waiting this many rounds of "every queue has handled what it held" covers the
# panel's deepest field; a round is a turn of each queue on the path, never a fixed time.
SETTLE_ROUNDS = 8


async def settled(app: App, timeout: float = 5.0) -> None:
    """Wait until the nodes a key travels through (the app, the focused widget and its containers
    up to the screen) have handled what is queued now and what that posts in turn, for
    ``SETTLE_ROUNDS`` rounds (as Textual's Pilot waits for a screen, on the key's path only)."""
    focused = app.focused
    path = [app, *(focused.ancestors_with_self if focused is not None else (app.screen,))]
    for _ in range(SETTLE_ROUNDS):
        waits = []
        for node in path:
            flag = asyncio.Event()
            if node.call_later(flag.set):
                waits.append(asyncio.ensure_future(flag.wait()))
        if not waits:
            return
        _done, pending = await asyncio.wait(waits, timeout=timeout)
        for wait in pending:  # a node closing meanwhile: go on rather than hold keys for good
            wait.cancel()
        if pending:
            return


class KeyPacer:
    """The keys typed before the panel is up, and handing them on in the order typed."""

    def __init__(self, app: App, closed: bool) -> None:
        self.app = app
        self._closed = closed  # every key waits (the panel's fields are not composed yet)
        self._waiting: deque[events.Key] = deque()
        self._handing_on = False  # the held keys are being handed on
        self._handed_on: events.Key | None = None  # the held key being handed on now
        self.stopped = False  # the app is exiting: nothing more is handed on

    @property
    def holding(self) -> bool:
        """Are keys held back now (or still being handed on)?"""
        return self._closed or self._handing_on

    def holds(self, event: events.Event) -> bool:
        """Keep ``event`` back if it must wait for the keys before it (App.on_event asks)."""
        if not isinstance(event, events.Key) or event is self._handed_on:
            return False
        if not self.holding:
            return False
        if self._closed and not self._waiting and event.key in RUN_ONLY_KEYS:
            return False  # no key typed before it is on its way: it acts as it would once the panel is up
        self._waiting.append(event)
        return True

    def open(self, then: Callable[[], object] = lambda: None) -> None:
        """The panel is up: hand on the keys typed until now, in order (and those typed meanwhile),
        then call ``then``."""
        if self._closed:
            self._closed = False
            self._handing_on = True
            self.app.run_worker(self._hand_on(then), group="key pacing")

    async def _hand_on(self, then: Callable[[], object]) -> None:
        """Each waiting key in turn, as if typed now, once the one before has been handled."""
        while self._waiting and not self.stopped:
            key = self._waiting.popleft()
            self._handed_on = events.Key(key.key, key.character)
            self.app.post_message(self._handed_on)
            await settled(self.app)
        self._handing_on = False
        if not self.stopped:
            then()

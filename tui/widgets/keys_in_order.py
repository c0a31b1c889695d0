"""The keys of a burst handled in the order typed, wherever an earlier key moved the focus.

Textual sends each key from the terminal to the widget focused when the key arrives, into that
widget's own message queue, after checking the app's priority bindings against that focus; a key
that moves the focus (tab, enter in a field) takes effect only when its widget has handled it, and
a bound key only once it has bubbled up to the app. When keys arrive together (a fast typist, key
repeat over SSH, a paste without bracketed paste, a loaded machine that reads the terminal less
often) the keys behind a tab were already queued at the widget being left, or taken by a priority
binding of the widget being left: characters typed for the next field landed in the diagram, and
"." there is the app's time-travel key. So:

- the app (``RoutesKeysInOrder``) sends a key to the widget that will see it after the keys still
  on their way (``KeyRoute.behind``), whose priority bindings are checked there, in turn;
- a focusable widget of the app (``KeysInOrder``) runs the bindings of a key where it handles it,
  from itself up exactly as the app would, so a focus move is done before the next key is looked
  at (Textual's Input would otherwise let "2000", three backspaces and "300" give "2000":
  Textual#6605, fix pending upstream in PR #6631);
- it hands a key that reached it after the focus moved on to where the focus is now, as the app
  would have sent it then. A key bubbling up from a child is the child's, and is left alone.

``App._check_bindings`` is private, so textual is pinned below 9 and the burst tests in
tests/tui/test_panel.py watch it.
"""

from __future__ import annotations

import weakref
from typing import Any

from textual import events
from textual.widget import Widget


class KeyRoute:
    """The keys from the terminal sent to a ``KeysInOrder`` widget that it has not taken yet."""

    def __init__(self) -> None:
        # key -> (the widget it went to, whether the app's priority bindings were checked for it)
        self._sent: weakref.WeakKeyDictionary[events.Key, tuple[Widget, bool]] = weakref.WeakKeyDictionary()
        self._last: weakref.ref[events.Key] | None = None  # weak: a key dropped with its widget is gone

    def behind(self) -> Widget | None:
        """Where the next key goes if keys are still on their way (None: nothing is)."""
        last = self._last() if self._last is not None else None
        sent = self._sent.get(last) if last is not None else None
        return sent[0] if sent is not None and sent[0].is_attached else None

    def send(self, event: events.Key, widget: Widget, priority_checked: bool) -> None:
        """``event`` goes to ``widget`` now (the caller forwards it)."""
        if isinstance(widget, KeysInOrder):
            self._sent[event] = (widget, priority_checked)
            self._last = weakref.ref(event)

    def take(self, event: events.Key, widget: Widget) -> bool | None:
        """``widget`` takes ``event``: whether its priority bindings were checked (None: it was not sent here)."""
        sent = self._sent.get(event)
        if sent is None or sent[0] is not widget:
            return None
        del self._sent[event]
        if self._last is not None and self._last() is event:
            self._last = None
        return sent[1]


class RoutesKeysInOrder:
    """Mixin for the App (before Textual's App): sends each key from the terminal behind the keys
    of its burst still on their way, if any, else where Textual sends it, and notes where."""

    key_route: KeyRoute
    # Keeps a key back while what it was typed for does not exist yet (tui/key_pacing.KeyPacer):
    # ``hold.holds(event)`` takes the key and hands it on later, in order; None: nothing is held.
    key_hold: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_route = KeyRoute()

    async def on_event(self, event: events.Event) -> None:
        if self.key_hold is not None and self.key_hold.holds(event):
            return
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)  # type: ignore[misc]
            return
        behind = self.key_route.behind()
        if behind is not None:
            self.key_route.send(event, behind, priority_checked=False)
            behind._forward_event(event)
            return
        await super().on_event(event)  # type: ignore[misc]
        if event.is_forwarded:  # not taken by a priority binding: sent to the focus (or the screen)
            app: Any = self
            self.key_route.send(event, app.focused or app.screen, priority_checked=True)


class KeysInOrder:
    """Mixin for a focusable widget (before the Textual class): keys in the order typed."""

    # A widget that takes printable keys as text (an Input) types them; any other runs their
    # bindings where it takes them, as it does every other key's. A key left to bubble up to the
    # app is looked up there only after its hops, by when the keys behind it in a burst may have
    # moved the focus or hidden the widget its binding is on (w hides the diagram that binds "]").
    TAKES_TEXT = False

    async def _on_key(self, event: events.Key) -> None:
        app: Any = self.app  # type: ignore[attr-defined]
        route: KeyRoute | None = getattr(app, "key_route", None)
        if route is not None:
            priority_checked = route.take(event, self)  # type: ignore[arg-type]
        else:  # an app that does not route keys: only a key from a focused descendant is bubbling
            focused = app.focused
            mine = focused is None or focused is self or self not in focused.ancestors
            priority_checked = True if mine else None
        if priority_checked is None:  # bubbling up from a child (or not from the terminal)
            await super()._on_key(event)  # type: ignore[misc]
            return
        if app.focused is not self:
            event.stop()
            event.prevent_default()
            handed_on = events.Key(event.key, event.character)
            target: Widget = app.focused or app.screen
            if route is not None and isinstance(target, KeysInOrder):  # its priority bindings: there, in turn
                route.send(handed_on, target, priority_checked=False)
                target._forward_event(handed_on)
            elif not await app._check_bindings(event.key, priority=True):
                target._forward_event(handed_on)
            return
        if not priority_checked and await app._check_bindings(event.key, priority=True):
            event.stop()
            event.prevent_default()
            return
        if not (event.is_printable and self.TAKES_TEXT) and await app._check_bindings(event.key):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)  # type: ignore[misc]

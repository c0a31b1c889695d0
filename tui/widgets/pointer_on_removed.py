"""A press or a drag over a widget that was just removed goes nowhere, rather than ending the app.

A removed widget stays in its screen's layout until the screen next lays out (its next refresh;
none during a batch update). Textual's text selection starts (a press) and extends (a drag) from
the parent of the widget under the pointer, and a removed widget has none: Textual 8.2 raised
``AttributeError: 'NoneType' object has no attribute 'region'`` and the app ended with a
traceback. x in the explanation (another sample: the text is mounted anew) and a click right
after did it, likelier on a busy machine, where the app takes the click before the screen's refresh.

The widget under the pointer is gone, so there is nothing to press or select there: the event is
dropped, and the next one lands on the new layout. tests/tui/test_textual_tripwires.py says when
Textual no longer needs this.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.errors import NoWidget


class DropsPointerOnRemovedWidgets(App[None]):
    """An app (its terminal's events) that drops a press or a move over a widget no longer in it."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.MouseDown, events.MouseMove)) and not event.is_forwarded:
            if self.mouse_captured is None and _removed_widget_at(self, event.x, event.y):
                return
        await super().on_event(event)


def _removed_widget_at(app: App, x: int, y: int) -> bool:
    """Is the widget at (x, y) in the current screen's layout one that is no longer in the app?"""
    try:
        widget, _ = app.screen.get_widget_at(x, y)
    except NoWidget:
        return False
    return not widget.is_attached

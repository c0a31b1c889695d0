"""One line for the app's notices, under the panes: toasts stacked over the plot and the diagram
(at 80x24 one covered half the plot) and every added point opened another."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Static

from nnplay.core.io.outside_text import printable

SEVERITY_STYLE = {"information": "", "warning": "bold yellow", "error": "bold red"}
_NUMBERS = re.compile(r"[-+]?[\d,.]+")


def kind_of(message: str) -> str:
    """A message without its numbers: "added a point at (+0.10, -0.20); 2,001 training points" and the
    next point's message are one kind, so they merge."""
    return _NUMBERS.sub("#", message)


# Repeats that read better counted: the first words of the notice -> how N of them are said.
# The rest after "; " (the new total) is kept.
COUNTED = {"added a point": "added {n} points", "removed the point": "removed {n} points"}


def merged(text: str, count: int) -> str:
    """The notice for ``count`` repeats of ``text``'s kind, the newest one being ``text``."""
    if count == 1:
        return text
    for start, counted in COUNTED.items():
        if text.startswith(start):
            _, _, tail = text.partition("; ")
            return counted.format(n=count) + (f"; {tail}" if tail else "")
    return f"{text} (x{count})"


class NoticePosted(Message):
    """A notice for the notice line: posted, so it can be said from any thread."""

    def __init__(self, message: str, title: str, severity: str, timeout: float | None) -> None:
        super().__init__()
        self.message, self.title, self.severity, self.timeout = message, title, severity, timeout


class NoticeLine(Static):
    """The newest notice; a repeat of the same kind replaces it, counted ("added 5 points", "(x5)")."""

    DEFAULT_CSS = """
    NoticeLine { height: auto; max-height: 2; min-height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.kind: str | None = None
        self.count = 0
        self.text = ""
        self._timer: Timer | None = None

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Textual's grid sizes an auto row at one column's width, also for a widget that spans
        # more: the narrow screen's notice line spans the body's two columns, and measured at the
        # first one's (27 cells) a notice that fits in one line took two rows from the plot.
        if self.styles.column_span > 1:
            width = container.width - self.styles.gutter.width
        return super().get_content_height(container, viewport, width)

    def post(self, message: str, severity: str = "information", timeout: float | None = 6.0, title: str = "") -> None:
        """Say ``message`` for ``timeout`` seconds (None: until the next notice or ``clear``)."""
        text = f"{title}: {message}" if title else message
        kind = kind_of(text)
        self.count = self.count + 1 if kind == self.kind else 1
        self.kind = kind
        self.text = merged(text, self.count)
        self.update(Text(self.text, style=SEVERITY_STYLE.get(severity, "")))
        if self._timer is not None:
            self._timer.stop()
        self._timer = None if timeout is None else self.set_timer(timeout, self._expired)

    def _expired(self) -> None:
        self._timer = None
        self.clear()

    def clear(self) -> None:
        # The notice's timer goes with it: left running, it would clear the next notice early.
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.kind, self.count, self.text = None, 0, ""
        self.update("")


class SaysNoticesInLine(App[None]):
    """An app whose notices are said in its ``NoticeLine`` (over a modal screen, also as a toast)."""

    # A still (``nnplay screenshots``) keeps its notices: its picture must not depend on how long
    # it took to pose, as it would if a notice's time ran out first on a busy machine.
    notices_expire = True

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        **kw: Any,
    ) -> None:
        """A notice in the notice line under the panes (over a modal screen, a toast); as printable text,
        never markup, for notices echo paths, file names and refusals quoting a file."""
        message, title = printable(message), printable(title)
        kw.setdefault("markup", False)
        super().notify(message, title=title, severity=severity, timeout=timeout, **kw)
        timeout = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self.post_message(NoticePosted(message, title, severity, timeout if self.notices_expire else None))

    @on(NoticePosted)
    def _show_notice(self, event: NoticePosted) -> None:
        try:
            self.query_one(NoticeLine).post(event.message, event.severity, event.timeout, event.title)
        except NoMatches:  # shutting down
            pass

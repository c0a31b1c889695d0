"""``s``: the ``nnplay ...`` command line of the current setup, whole (wrapped, never cut), and
how it was copied: sent to the clipboard by OSC 52 (``App.copy_to_clipboard``; a terminal
without it ignores it, which nothing can detect) and written to a file, which always works."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from nnplay.core.files.session_file import atomic_write

SHARE_FILE = "nnplay-share.txt"


def copy_command(app, line: str, path: str = SHARE_FILE) -> str:
    """Copy ``line`` whole both ways; what was done, in a sentence."""
    app.copy_to_clipboard(line)
    try:
        atomic_write(path, (line + "\n").encode())
    except OSError as exc:
        return f"Sent to the clipboard (OSC 52, if your terminal allows it); not written to {path}: {exc.strerror}."
    return f"Sent to the clipboard (OSC 52, if your terminal allows it) and written to {Path(path).resolve()}."


class ShareScreen(ModalScreen[None]):
    """The command line, whole, and how it was copied; escape, enter or s closes it."""

    DEFAULT_CSS = """
    ShareScreen { align: center middle; }
    #share { width: 100; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 0 1; }
    #command { margin-bottom: 1; }
    """
    BINDINGS = [Binding(key, "close", "close", show=i == 0) for i, key in enumerate(("escape", "enter", "s"))]

    def __init__(self, line: str, copied: str) -> None:
        super().__init__()
        self.line, self.copied = line, copied

    def compose(self) -> ComposeResult:
        with Vertical(id="share") as box:
            box.border_title = "Reproduce this setup with"
            yield Static(self.line, id="command", markup=False)
            yield Static(self.copied, id="copied", markup=False)

    def action_close(self) -> None:
        if self.is_current:
            self.dismiss(None)

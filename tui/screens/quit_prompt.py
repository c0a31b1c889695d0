"""``q`` with unsaved work: a question first, since no key may lose data without a way back.

With nothing unsaved (``AppRunChannel.unsaved``), ``q`` quits at once. Otherwise the
``QuitPrompt`` says what would be lost, counted, and takes one key: ``q`` or ``y`` quits
anyway (so ``q q`` quits), ``s`` saves through the app's own save prompt and quits once the
file is written (a failed save is said, and the app stays), ``escape`` or ``n`` stays.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Mapping
from concurrent.futures import Future

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from nnplay.core.io.outside_text import printable
from nnplay.tui.keys.key_table import KEYS, QUIT_ANSWERS
from nnplay.tui.run.channel import DATA_EDIT, REWIND, WEIGHT_EDIT, AppRunCommands

# How each kind of unsaved edit is counted, in the order they are said.
EDIT_NAMES = ((DATA_EDIT, "data edit"), (WEIGHT_EDIT, "weight edit"), (REWIND, "rewind of the run"))
REFRESH_SECONDS = 0.25  # the count goes on while the run trains behind the question


def counted(n: int, name: str) -> str:
    """``3 data edits``, ``1 rewind of the run``: the plural is on the first word after the number."""
    if n == 1:
        return f"1 {name}"
    head, _, tail = name.partition(" of ")
    return f"{n:,} {head}s" + (f" of {tail}" if tail else "")


def unsaved_text(steps: int, edits: Mapping[str, int]) -> str:
    """What a quit now would lose: "12,345 training steps and 3 data edits are not saved"."""
    parts = [counted(steps, "training step")] if steps else []
    parts += [counted(edits[kind], name) for kind, name in EDIT_NAMES if edits.get(kind)]
    if not parts:
        return "nothing is unsaved"
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    one = len(parts) == 1 and (steps == 1 or (not steps and sum(edits.values()) == 1))
    return f"{listed} {'is' if one else 'are'} not saved"


def _bindings() -> list[BindingType]:
    """The question's keys, from the key table; q's typing twin (ctrl+q) quits here as q does."""
    out: list[BindingType] = [
        Binding(key, f"answer({a.answer!r})", a.says, show=i == 0) for a in QUIT_ANSWERS for i, key in enumerate(a.keys)
    ]
    twin = next(k.typing_key for k in KEYS if k.action == "quit")
    return [*out, Binding(twin, "answer('quit')", "quit", show=False)] if twin else out


def choices_text() -> Text:
    """The answers, one a line: the keys in bold ("q/y"), in a column of their own.

    No span starts with a space (the padding ends the keys' span): SVG renderers drop a
    span's leading spaces, which ran the snapshot's columns together.
    """
    keys = ["/".join(a.keys) for a in QUIT_ANSWERS]
    width = max(map(len, keys)) + 2
    text = Text()
    for i, (key, a) in enumerate(zip(keys, QUIT_ANSWERS, strict=True)):
        if i:
            text.append("\n")
        for j, name in enumerate(a.keys):
            last = j == len(a.keys) - 1
            text.append(name + (" " * (width - len(key)) if last else ""), "bold")
            if not last:
                text.append("/")
        text.append(a.says)
    return text


class QuitPrompt(ModalScreen[str | None]):
    """Quit with unsaved work? Dismisses with an answer of QUIT_ANSWERS: "quit", "save" or None (stay)."""

    DEFAULT_CSS = """
    QuitPrompt { align: center middle; }
    QuitPrompt > Vertical {
        width: 62; max-width: 100%; height: auto; border: thick $warning; background: $surface; padding: 0 1;
        border-title-color: $text; border-title-style: bold;
    }
    QuitPrompt #lost { margin-bottom: 1; }
    """
    BINDINGS = _bindings()

    def __init__(self, channel: AppRunCommands) -> None:
        super().__init__()
        self.channel = channel

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Quit nnplay?"
            yield Static(self.lost_text(), id="lost")
            yield Static(choices_text(), id="choices")

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self._refresh_count)

    def lost_text(self) -> str:
        return unsaved_text(self.channel.unsaved_steps, self.channel.unsaved_edits) + "."

    def _refresh_count(self) -> None:
        self.query_one("#lost", Static).update(self.lost_text())

    def action_answer(self, answer: str | None) -> None:
        if self.is_current:  # a second key, queued before the first closed the prompt, would pop the app's screen
            self.dismiss(answer)


async def quit_once_saved(app: App, path: str, reply: Future[int]) -> None:
    """The "save" answer: exit once ``reply`` says ``path`` is written; a failure is said, and the app stays."""
    try:
        step = await asyncio.wrap_future(reply)
    except Exception as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        app.notify(f"not quit: could not save {path}: {reason}", severity="error", timeout=12)
        return
    # Printed (on stderr) once the terminal is restored, as the SIGTERM recovery line is.
    said = f"nnplay: saved step {step:,} to {path}; resume with: nnplay --load {shlex.quote(path)}"
    app.exit(message=Text(printable(said)))

"""Textual's Footer, without its leak of one set of keys per redraw.

Each time the bindings change (every focus change), ``Footer`` recomposes its
``FooterKey`` widgets, and each new key ``data_bind``s the footer's ``compact``
reactive. The binding is a watcher stored on the footer, and Textual prunes the
watchers of removed widgets only when ``compact`` changes, which it never does here:
every removed key (with its styles and caches) stays alive. A random-use soak grew by
~20 MB a minute this way (Textual 8.2, upstream issue Textualize/textual#6666).
This footer drops the watchers of closed keys after each recompose.

It also recomposes only when what it shows changes: moving between two fields (or any focus
change that leaves the same keys working) would otherwise remove and mount all its keys, with a
restyle and a new layout of the screen, several times per key pressed.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from nnplay.tui.keys.key_table import footer_rank


class BindingsFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._composed_for: tuple[Any, ...] | None = None

    def _what_compose_shows(self) -> tuple[Any, ...]:
        """Everything ``compose`` reads: the keys, their state and words, the width, the style."""
        if not self._bindings_ready:
            return ()
        app = self.app
        keys = tuple(
            (binding, app.get_key_display(binding), enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        )
        return keys, app.size.width, self.compact, self.show_command_palette, app.ENABLE_COMMAND_PALETTE

    async def recompose(self) -> None:
        shows = self._what_compose_shows()
        if shows == self._composed_for:
            return
        self._composed_for = shows
        await super().recompose()
        watchers = getattr(self, "__watchers", {})
        for name, entries in watchers.items():
            watchers[name] = [(node, callback) for node, callback in entries if not node._closing]

    def compose(self) -> ComposeResult:
        """The keys that fit whole; the rest are left out, not cut ("t T" at 80 columns)."""
        items = list(super().compose())
        # The app's keys in FOOTER_ORDER first (the article's Train and Classify must fit at 80
        # columns), then the focused pane's own (the diagram's "⏎ edit value").
        items.sort(key=lambda i: footer_rank(i.action) if isinstance(i, FooterKey) else -1)
        palette = [i for i in items if isinstance(i, FooterKey) and i.has_class("-command-palette")]
        room = self.app.size.width - sum(_width(i) for i in palette) - 1
        kept: list[Widget] = []
        for item in items:
            if item in palette:
                continue
            if isinstance(item, FooterKey):
                room -= _width(item)
                if room < 0:
                    break
            kept.append(item)
        self.styles.grid_size_columns = max(1, len(kept))
        yield from kept
        yield from palette

    def on_resize(self) -> None:
        self.refresh(recompose=True)


def _width(key: FooterKey) -> int:
    # The key with one cell either side, the description with one after it (Footer's own padding).
    return cell_len(key.key_display) + 2 + (cell_len(key.description) + 1 if key.description else 0)

"""Textual's Footer, without its leak of one set of keys per redraw.

Each time the bindings change (every focus change), ``Footer`` recomposes its
``FooterKey`` widgets, and each new key ``data_bind``s the footer's ``compact``
reactive. The binding is a watcher stored on the footer, and Textual prunes the
watchers of removed widgets only when ``compact`` changes, which it never does here:
every removed key (with its styles and caches) stays alive. A random-use soak grew by
~20 MB a minute this way (Textual 8.2, upstream issue Textualize/textual#6666).
This footer drops the watchers of closed keys after each recompose.

It also rebuilds only what changes: Footer removes and mounts all its keys on every focus change,
with a restyle and new layouts of the screen, half the time of a key that moves the focus (enter
out of a field, a click into one). Here a focus change that leaves the same keys working (tab
from field to field) changes nothing, and one that changes them relabels the keys in place,
removing or mounting only the difference in number.
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
        if shows == self._composed_for or not self.is_attached:
            return
        self._composed_for = shows
        if not await self._relabel():
            await super().recompose()
        watchers = getattr(self, "__watchers", {})
        for name, entries in watchers.items():
            watchers[name] = [(node, callback) for node, callback in entries if not node._closing]

    async def _relabel(self) -> bool:
        """Show what ``compose`` would, reusing the keys there are: False (recompose instead) when
        either side holds more than plain keys (a group of bindings)."""
        composed, present = list(self.compose()), list(self.children)
        new = [widget for widget in composed if isinstance(widget, FooterKey)]
        old = [widget for widget in present if isinstance(widget, FooterKey)]
        if len(new) != len(composed) or len(old) != len(present):
            return False
        new_palette = [key for key in new if key.has_class("-command-palette")]
        old_palette = [key for key in old if key.has_class("-command-palette")]
        if len(new_palette) != len(old_palette):
            return False
        new_keys = [key for key in new if key not in new_palette]
        old_keys = [key for key in old if key not in old_palette]
        async with self.batch():
            # Plain keys take over plain keys, the palette's the palette's: the counts of plain keys differ.
            for mine, theirs in [*zip(old_keys, new_keys, strict=False), *zip(old_palette, new_palette, strict=True)]:
                _take_over(mine, theirs)
            if len(old_keys) > len(new_keys):
                await self.remove_children(old_keys[len(new_keys) :])
            elif len(new_keys) > len(old_keys):
                await self.mount_all(new_keys[len(old_keys) :], before=old_palette[0] if old_palette else None)
        return True

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


def _take_over(key: FooterKey, new: FooterKey) -> None:
    """``key`` shows what ``new`` (made by ``compose``, never mounted) would: the key, its words,
    its action, enabled or not (its other classes are the same: plain keys, palette to palette)."""
    changed = (key.key, key.key_display, key.description, key.action) != (
        new.key,
        new.key_display,
        new.description,
        new.action,
    )
    key.key, key.key_display, key.description, key.action = new.key, new.key_display, new.description, new.action
    key._disabled = new._disabled
    key.set_class(new._disabled, "-disabled")
    key.tooltip = new.tooltip
    if changed:
        key.refresh(layout=True)  # its width follows its words

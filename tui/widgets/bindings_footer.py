"""Textual's Footer, without its leak of one set of keys per redraw.

Each time the bindings change (every focus change), ``Footer`` recomposes its
``FooterKey`` widgets, and each new key ``data_bind``s the footer's ``compact``
reactive. The binding is a watcher stored on the footer, and Textual prunes the
watchers of removed widgets only when ``compact`` changes, which it never does here:
every removed key (with its styles and caches) stays alive. A random-use soak grew by
~20 MB a minute this way (Textual 8.2, upstream issue Textualize/textual#6666).
This footer drops the watchers of closed keys after each recompose.
"""

from __future__ import annotations

from textual.widgets import Footer


class BindingsFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()
        watchers = getattr(self, "__watchers", {})
        for name, entries in watchers.items():
            watchers[name] = [(node, callback) for node, callback in entries if not node._closing]

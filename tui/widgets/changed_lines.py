"""Repaint only the lines of a widget whose content changed since the last frame."""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


def refresh_changed_lines(widget: Widget, old: list[Strip], new: list[Strip]) -> int:
    """Mark the lines that differ as dirty; Textual then writes just those to the terminal.

    Returns how many lines were marked. Over SSH this is most of the saving: while
    training, decision regions and weights change in a few lines per frame, not all.
    """
    if len(old) != len(new):
        widget.refresh()
        return len(new)
    width = widget.size.width
    changed = [Region(0, y, width, 1) for y, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    if changed:
        widget.refresh(*changed)
    return len(changed)

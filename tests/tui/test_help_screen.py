"""The help screen: every key stands apart from its words, at every width, and opening it again
draws the lines it rendered the first time."""

from __future__ import annotations

import html
import re

import pytest

from nnplay.core.settings.presets import PRESETS
from nnplay.tui.keys.key_table import DIAGRAM_KEYS, KEYS, OTHER_KEYS
from nnplay.tui.screens.help_screen import HelpScreen, help_lines

CONFIG = PRESETS["seed-v2"].config(train_size=200)
KEY_ROWS = [(k.shown, k.help) for k in KEYS + DIAGRAM_KEYS] + list(OTHER_KEYS)
# Words that follow a key inside a sentence of the help.
PHRASES = ("enter or tab", "escape puts the value", "q/y quit anyway", "escape/n stay", "escape, ? or q closes")


def _plain(markdown: str) -> str:
    return re.sub(r"[*`]", "", markdown)


def screen_text(svg: str) -> list[str]:
    """The rows of an exported screenshot as a person reads them (every cell, spaces included)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in re.findall(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        rows.setdefault(float(y), []).append((float(x), html.unescape(text).replace("\xa0", " ")))
    return ["".join(t for _, t in sorted(row)) for _, row in sorted(rows.items())]


def inside_box(row: str) -> str:
    """What lies between a thick border's left and right edges (the whole row when there are none)."""
    return row[row.index("█") + 1 : row.rindex("█")] if row.count("█") >= 2 else ""


def _joined(lines: list[str]) -> str:
    """The lines run together as prose: a wrapped line's break is a space."""
    return re.sub(r"\s+", " ", " ".join(lines))


@pytest.mark.parametrize("width", [56, 76, 96])
def test_every_key_is_set_apart_from_its_words(width) -> None:
    lines = [strip.text for strip in help_lines(width)]
    for shown, words in KEY_ROWS:
        first_word = _plain(words).split()[0]
        # The row whose first word is the key (a wrapped line of words can start with the same letters).
        row = next((line for line in lines if line.split()[:1] == shown.split()[:1]), None)
        assert row is not None, f"no row of the help starts with {shown!r}"
        start = row.index(shown.split()[0])
        rest = row[start:]
        # The key (as much of it as fits on its first line), then at least one space, then words.
        assert re.match(r"\S.*?\s{1,}\S", rest), rest
        assert first_word in _joined(lines), (shown, first_word)
    prose = _joined(lines)
    for phrase in PHRASES:
        assert phrase in prose, phrase


async def test_the_help_on_screen_spaces_keys_and_words_and_opens_from_cached_lines(make_app) -> None:
    app = make_app(CONFIG)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # The help's box is drawn with a thick border: what lies between its left and right edges.
        rows = [inside_box(row) for row in screen_text(app.export_screenshot())]
        prose = _joined(rows)
        for phrase in ("enter or tab", "escape puts the value", "q/y quit anyway"):
            assert phrase in prose, phrase
        for shown, _ in KEY_ROWS[:5]:  # rows above the fold at 40 lines
            assert f"{shown} " in prose or f"{shown.split()[0]} (" in prose, shown
        rendered = help_lines.cache_info().misses
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert help_lines.cache_info().misses == rendered, "the help was laid out again at the same width"

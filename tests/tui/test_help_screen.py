"""The help screen: every key stands apart from its words, at every width, and opening it again
draws the lines it rendered the first time; once the app is up, the first ? finds it built."""

from __future__ import annotations

import html
import re

import pytest
from textual.containers import VerticalScroll

from nnplay.core.settings.presets import PRESETS
from nnplay.tui.keys.key_table import DIAGRAM_KEYS, KEYS, OTHER_KEYS
from nnplay.tui.screens.help_screen import HelpScreen, HelpText, help_lines, text_width
from tests.tui.waiting import wait_until

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


@pytest.mark.parametrize("size", [(80, 24), (100, 40), (120, 40), (200, 50)])
async def test_the_help_is_ready_before_the_first_question_mark(make_app, monkeypatch, size) -> None:
    """Once the app is up, the help's screen is built and its lines rendered at the width it opens
    at: the first ? renders nothing, and the screen it shows is the one every later ? shows."""
    composed = []
    monkeypatch.setattr(HelpScreen, "compose", counted(HelpScreen.compose, composed))
    help_lines.cache_clear()
    app = make_app(CONFIG, start_worker=True)  # the app's background work, the help's among it
    async with app.run_test(size=size) as pilot:
        await wait_until(lambda: help_lines.cache_info().currsize == 2, what="the help rendered once the app is up")
        rendered = help_lines.cache_info().misses
        for _ in range(2):
            await pilot.press("question_mark")
            await wait_until(lambda: isinstance(app.screen, HelpScreen), what="the help")
            await pilot.pause()
            text = app.screen.query_one(HelpText)
            assert text.size.width == text_width(size[0]), "the help opened at another width than it was made for"
            await pilot.press("escape")
            await wait_until(lambda: not isinstance(app.screen, HelpScreen), what="the help closed")
        assert help_lines.cache_info().misses == rendered, "the first ? rendered the help's Markdown again"
        assert len(composed) == 1, "each ? built the help screen anew"


async def test_the_help_opens_again_at_its_top(make_app) -> None:
    app = make_app(CONFIG)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        scroll = app.screen.query_one(VerticalScroll)
        await pilot.press("end")
        await wait_until(lambda: scroll.scroll_y > 0, what="the help scrolled down")
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and scroll.scroll_y == 0


def counted(method, calls: list):
    def wrapped(self, *args):
        calls.append(self)
        return method(self, *args)

    return wrapped

"""The plot's legend as plain data: what each colour and mark says, entry by entry.

The frame model sizes the plane to leave room for every entry (``plot_geometry.plot_box``), and
the render layer draws them, each mark in its own look: one list both read, so an entry that
is listed is an entry that is on screen.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from nnplay.core.data.datasets import Dataset
from nnplay.core.io.outside_text import printable
from nnplay.tui.model.number_text import short_number
from nnplay.tui.model.view_state import ViewState

TEST_GLYPH = "◦"  # a held-out test point's own mark, drawn in the plot too
CURSOR_GLYPH = "┼"
LEGEND_NAME = 9  # characters of a class name in the legend


@dataclass(frozen=True)
class LegendEntry:
    """A mark drawn in its own look (``kind``), then words drawn dim.

    kind: "class" (the mark in class ``cls``'s point colour), "flag" (the mark in the look of a
    marked point), "glyph" (the mark as the plot draws it, plain), "bold", or "words" (no mark).
    ``tail``: a second mark after the words, in class ``cls + 1``'s colour (a scale's other end).
    """

    mark: str
    words: str
    kind: str = "words"
    cls: int = 0
    tail: str = ""

    @property
    def text(self) -> str:
        return self.mark + self.words + self.tail

    @property
    def width(self) -> int:
        return cell_width(self.text)


def cell_width(text: str) -> int:
    """Cells ``text`` takes in a terminal: wide (East Asian) characters take two, combining none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# What the points' colours say, by (regression, coloured by prediction); and what a mark says.
POINTS_SAY = {
    (False, False): "points: true class (p)",
    (False, True): "points: predicted (p)",
    (True, False): "points: target sign (p)",
    (True, True): "points: output sign (p)",
}
WRONG_SAYS = {False: ": wrong", True: ": off by > 0.5"}  # the flag of the plot's points
RIGHT_SAYS = {False: ": right", True: ": within 0.5"}  # the flag where most points are wrong
FLAG_WORD = "underlined"


def plot_legend(data: Dataset, view: ViewState, *, shows_test: bool, flag: str | None) -> tuple[LegendEntry, ...]:
    """The plot's entries: the class colours (or the value scale), what the points' colours say,
    the mark (``flag``: "wrong", "right" or None when no point carries it), test points, the cursor."""
    items = class_entries(data)
    items.append(LegendEntry("", POINTS_SAY[data.is_regression, view.points_by_prediction]))
    if flag is not None:
        says = (RIGHT_SAYS if flag == "right" else WRONG_SAYS)[data.is_regression]
        items.append(LegendEntry(FLAG_WORD, says, "flag"))
    if shows_test:
        items.append(LegendEntry(TEST_GLYPH, " test point", "glyph"))
    if view.cursor is not None:
        items.append(LegendEntry(CURSOR_GLYPH, " cursor", "bold"))
    return tuple(items)


def class_entries(data: Dataset) -> list[LegendEntry]:
    """What the points' colours are: each class's colour and name, or the regression's scale."""
    if data.is_regression:
        return [LegendEntry("●", " -1 target +1 ", "class", 0, tail="●")]
    names = data.class_names or tuple(str(c + 1) for c in range(data.n_classes))
    shown = (f" {c + 1} {printable(name)}"[: LEGEND_NAME + 3] for c, name in enumerate(names[: data.n_classes]))
    return [LegendEntry("●", words, "class", c) for c, words in enumerate(shown)]  # a file's names shown, not obeyed


def plot_legend_room(data: Dataset, view: ViewState, *, shows_test: bool) -> tuple[int, ...]:
    """The widths the plane leaves room for: the legend at its widest in this view, the mark
    included whether or not a point carries it now, so the plane keeps its size while training."""
    widest = "right" if len(RIGHT_SAYS[data.is_regression]) > len(WRONG_SAYS[data.is_regression]) else "wrong"
    return legend_widths(plot_legend(data, view, shows_test=shows_test, flag=widest))


def hidden_legend(
    data: Dataset, hidden: tuple[int, int, int], lo: tuple[float, float], hi: tuple[float, float], shows_test: bool
) -> tuple[LegendEntry, ...]:
    """The hidden view's entries: the points' classes, which neurons (``hidden``: layer and the
    two neurons) the axes are and their ranges, the warped grid."""
    layer, a, b = hidden
    items = [
        *class_entries(data),
        LegendEntry("", f"layer {layer}: x n{a + 1}, y n{b + 1}"),
        LegendEntry("", f"x {short_number(lo[0], 2)}..{short_number(hi[0], 2)}"),
        LegendEntry("", f"y {short_number(lo[1], 2)}..{short_number(hi[1], 2)}"),
        LegendEntry("", "grey: warped input grid"),
    ]
    if shows_test:
        items.append(LegendEntry(TEST_GLYPH, " test point", "glyph"))
    return tuple(items)


# The widest a range of the hidden view is written ("-1.2e-5"), so the plane is sized once.
WIDEST_NUMBER = "-1.2e-5"


def hidden_legend_room(data: Dataset, hidden: tuple[int, int, int], shows_test: bool) -> tuple[int, ...]:
    """The hidden view's legend at its widest: the ranges change with every step of training."""
    widest = len(f"x {WIDEST_NUMBER}..{WIDEST_NUMBER}")
    entries = hidden_legend(data, hidden, (0.0, 0.0), (0.0, 0.0), shows_test)
    return tuple(widest if e.words.startswith(("x ", "y ")) else e.width for e in entries)


def legend_widths(entries: tuple[LegendEntry, ...]) -> tuple[int, ...]:
    return tuple(entry.width for entry in entries)

from __future__ import annotations

import dataclasses
import itertools
from types import SimpleNamespace

import numpy as np
import pytest
from rich.cells import cell_len
from rich.color import ColorSystem, ColorType
from rich.style import Style

from nnplay.core.engine.network import Network
from nnplay.core.engine.row_reductions import row_max_argmax, row_sum
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.presets import PRESETS
from nnplay.tui.model.grid_pass import class_confidence, display_inputs, display_layers
from nnplay.tui.model.plot_geometry import PlotBox
from nnplay.tui.model.plot_legend import TEST_GLYPH
from nnplay.tui.model.view_state import ClassifiedPoints, Selection, ViewState
from nnplay.tui.raster.braille import rasterise_points
from nnplay.tui.render.palette import MONOCHROME, TRUECOLOR
from nnplay.tui.render.plot import (
    BIG_POINT,
    BIG_TEST_POINT,
    CLASS_RGB,
    CLASS_TEXTURES,
    MAX_CLASSES,
    PlotFrame,
    PlotStyle,
    default_plot_style,
    render_plot_lines,
)
from nnplay.tui.render.scatter import axis_numbers, fit_number
from nnplay.tui.widgets.scatter_plot import render_scatter

LEVELS = 3
# Hand-made styles that are all different, so every cell's style is identifiable.
REGION_BG = (
    tuple(Style(bgcolor=c) for c in ("#100000", "#200000", "#300000")),
    tuple(Style(bgcolor=c) for c in ("#000010", "#000020", "#000030")),
)
POINT_FG = (Style(color="#ff8000"), Style(color="#0080ff"))
FLAG = Style(color="#ffffff", bold=True)
EMPTY = Style(bgcolor="#111111")


def make_style() -> PlotStyle:
    return PlotStyle(region_bg=REGION_BG, point_fg=POINT_FG, flag_style=FLAG, empty=EMPTY)


def make_frame(h: int, w: int, **arrays: np.ndarray) -> PlotFrame:
    defaults = {
        "region_cls": np.zeros((h, w), np.int16),
        "region_level": np.zeros((h, w), np.int8),
        "bits": np.zeros((h, w), np.uint8),
        "point_cls": np.full((h, w), -1, np.int16),
        "point_flag": np.zeros((h, w), bool),
    }
    defaults.update(arrays)
    return PlotFrame(**defaults)


def expand(line) -> list[tuple[str, Style]]:
    """One (char, style) per cell, undoing run merging."""
    return [(ch, seg.style) for seg in line for ch in seg.text]


def expected_cell(frame: PlotFrame, r: int, c: int) -> tuple[str, Style]:
    """Reference style for one cell, built the naive way."""
    rc = int(frame.region_cls[r, c])
    bg = EMPTY if rc < 0 else REGION_BG[rc][int(frame.region_level[r, c])]
    b = int(frame.bits[r, c])
    flagged = bool(frame.point_flag[r, c])
    style = bg
    if b or flagged:
        pc = int(frame.point_cls[r, c])
        if pc >= 0:
            style = style + POINT_FG[pc]
        if flagged:
            style = style + FLAG
    return (chr(0x2800 + b) if b else " "), style


def test_uniform_region_is_one_segment_per_line():
    h, w = 4, 30
    frame = make_frame(h, w, region_cls=np.ones((h, w), np.int16), region_level=np.full((h, w), 2, np.int8))
    lines = render_plot_lines(frame, make_style())
    assert len(lines) == h
    for line in lines:
        assert len(line) == 1
        assert line[0].text == " " * w
        assert line[0].style == REGION_BG[1][2]


def test_runs_split_where_region_changes():
    rc = np.array([[0, 0, 1, 1, 1, -1]], np.int16)
    lv = np.array([[1, 1, 1, 1, 0, 2]], np.int8)
    (line,) = render_plot_lines(make_frame(1, 6, region_cls=rc, region_level=lv), make_style())
    assert [s.text for s in line] == ["  ", "  ", " ", " "]
    assert [s.style for s in line] == [REGION_BG[0][1], REGION_BG[1][1], REGION_BG[1][0], EMPTY]


def test_dot_cell_character_and_style():
    bits = np.array([[0, 0x01, 0xFF, 0x80]], np.uint8)
    pc = np.array([[-1, 0, 0, 1]], np.int16)
    (line,) = render_plot_lines(make_frame(1, 4, bits=bits, point_cls=pc), make_style())
    cells = expand(line)
    assert "".join(ch for ch, _ in cells) == " \u2801\u28ff\u2880"
    assert cells[1][1] == REGION_BG[0][0] + POINT_FG[0]
    assert cells[2][1] == REGION_BG[0][0] + POINT_FG[0]
    assert cells[3][1] == REGION_BG[0][0] + POINT_FG[1]
    # Cells 1 and 2 share a style, so they are one run.
    assert line[1].text == "\u2801\u28ff"


def test_flagged_cell_uses_flag_style():
    bits = np.array([[0x01, 0x01, 0x01]], np.uint8)
    pc = np.array([[1, 1, 1]], np.int16)
    flag = np.array([[False, True, False]])
    (line,) = render_plot_lines(make_frame(1, 3, bits=bits, point_cls=pc, point_flag=flag), make_style())
    cells = expand(line)
    assert cells[1][1] == REGION_BG[0][0] + POINT_FG[1] + FLAG
    assert cells[1][1].color.triplet == (255, 255, 255) and cells[1][1].bold
    assert cells[0][1] == cells[2][1] == REGION_BG[0][0] + POINT_FG[1]
    assert [s.text for s in line] == ["\u2801"] * 3


def test_blank_cells_after_dots_join_the_dot_run():
    # A space looks the same with a plain foreground, so gaps do not split runs.
    bits = np.array([[0, 0x01, 0, 0, 0x02, 0]], np.uint8)
    pc = np.array([[-1, 0, -1, -1, 0, -1]], np.int16)
    (line,) = render_plot_lines(make_frame(1, 6, bits=bits, point_cls=pc), make_style())
    assert [s.text for s in line] == [" ", "\u2801  \u2802 "]
    assert line[0].style == REGION_BG[0][0]
    assert line[1].style == REGION_BG[0][0] + POINT_FG[0]


def test_blank_cells_do_not_borrow_visible_styles():
    underlined = PlotStyle(
        region_bg=REGION_BG, point_fg=(Style(color="red", underline=True), POINT_FG[1]), flag_style=FLAG, empty=EMPTY
    )
    bits = np.array([[0x01, 0, 0x01, 0, 0x01, 0]], np.uint8)
    pc = np.array([[0, -1, 1, -1, 1, -1]], np.int16)
    flag = np.array([[False, False, True, False, False, False]])
    rc = np.array([[0, 0, 0, 0, 0, 1]], np.int16)
    frame = make_frame(1, 6, bits=bits, point_cls=pc, point_flag=flag, region_cls=rc)
    (line,) = render_plot_lines(frame, underlined)
    cells = expand(line)
    assert cells[1][1] == REGION_BG[0][0]  # no underline spread onto the blank
    assert cells[3][1] == REGION_BG[0][0]  # no flag style spread either
    assert cells[5][1] == REGION_BG[1][0]  # other region: own background
    assert cells[4][1] == REGION_BG[0][0] + POINT_FG[1]


def test_out_of_range_classes_and_levels():
    rc = np.array([[7, 1, 0]], np.int16)
    lv = np.array([[0, 99, -3]], np.int8)
    bits = np.array([[0x01, 0x01, 0]], np.uint8)
    pc = np.array([[9, 9, -1]], np.int16)
    (line,) = render_plot_lines(make_frame(1, 3, region_cls=rc, region_level=lv, bits=bits, point_cls=pc), make_style())
    assert [st for _, st in expand(line)] == [EMPTY, REGION_BG[1][LEVELS - 1], REGION_BG[0][0]]


@pytest.mark.parametrize("with_test", [False, True], ids=["training", "training-and-test"])
@pytest.mark.parametrize("seed", range(4))
def test_random_frame_matches_reference(seed, with_test):
    rng = np.random.default_rng(seed + 100 * with_test)
    h, w = 7, 23
    bits = rng.integers(0, 256, (h, w)).astype(np.uint8)
    bits[rng.random((h, w)) < 0.5] = 0
    frame = make_frame(
        h,
        w,
        region_cls=rng.integers(-1, 2, (h, w)).astype(np.int16),
        region_level=rng.integers(0, LEVELS, (h, w)).astype(np.int8),
        bits=bits,
        point_cls=np.where(bits > 0, rng.integers(-1, 2, (h, w)), -1).astype(np.int16),
        point_flag=(bits > 0) & (rng.random((h, w)) < 0.2),
        **({"point_test": rng.random((h, w)) < 0.4} if with_test else {}),
    )
    lines = render_plot_lines(frame, make_test_style() if with_test else make_style())
    expected = expected_cell_with_test if with_test else expected_cell
    assert len(lines) == h
    for r, line in enumerate(lines):
        assert sum(cell_len(s.text) for s in line) == w
        # Neighbouring segments always differ, or they would have been merged.
        assert all(a.style != b.style for a, b in itertools.pairwise(line))
        for c, (ch, st) in enumerate(expand(line)):
            want_ch, want_st = expected(frame, r, c)
            assert ch == want_ch
            if frame.bits[r, c] or frame.point_flag[r, c]:
                assert st == want_st
            else:
                # Blank cells may carry a borrowed foreground; only the background shows.
                assert st.bgcolor == want_st.bgcolor
                assert not (st.underline or st.reverse or st.strike)


def test_rasterised_points_render_end_to_end():
    h, w, e = 10, 40, 3.0
    rng = np.random.default_rng(7)
    X = rng.uniform(-e, e, (500, 2))
    y = (X[:, 0] > 0).astype(int)
    bits, pc, pf = rasterise_points(X, y, e, w, h, rng.random(500) < 0.05)
    frame = PlotFrame(np.zeros((h, w), np.int16), np.zeros((h, w), np.int8), bits, pc, pf)
    lines = render_plot_lines(frame, default_plot_style(2))
    text = ["".join(s.text for s in line) for line in lines]
    for r in range(h):
        assert cell_len(text[r]) == w
        want = "".join(chr(0x2800 + b) if b else " " for b in bits[r].tolist())
        assert text[r] == want


def test_empty_frame():
    assert render_plot_lines(make_frame(0, 5), make_style()) == []
    assert render_plot_lines(make_frame(3, 0), make_style()) == [[], [], []]


# --- default_plot_style ---------------------------------------------------


def _luminance(rgb) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    lo, hi = sorted((_luminance(a), _luminance(b)))
    return (hi + 0.05) / (lo + 0.05)


def test_two_class_style_uses_tf_colours():
    assert CLASS_RGB[0] == (0xF5, 0x93, 0x22)
    assert CLASS_RGB[1] == (0x08, 0x77, 0xBD)
    st = default_plot_style(2)
    assert len(st.region_bg) == 2 and all(len(levels) == 4 for levels in st.region_bg)
    orange_bg = st.region_bg[0][-1].bgcolor.triplet
    blue_bg = st.region_bg[1][-1].bgcolor.triplet
    assert orange_bg.red > orange_bg.green > orange_bg.blue
    assert blue_bg.blue > blue_bg.green > blue_bg.red
    fg0, fg1 = (s.color.triplet for s in st.point_fg)
    assert fg0.red > fg0.blue and fg1.blue > fg1.red
    # Told apart by lightness as well as hue.
    assert _contrast(fg0, fg1) > 1.4


def test_region_tint_grows_with_level_and_stays_dark():
    st = default_plot_style(2, levels=5)
    for cls_rgb, levels in zip(CLASS_RGB, st.region_bg, strict=False):
        rgbs = [lv.bgcolor.triplet for lv in levels]
        spread = [max(c) - min(c) for c in rgbs]
        assert spread[0] <= 15  # level 0 is nearly neutral grey
        assert spread == sorted(spread) and spread[-1] > 40  # clearly tinted at the top
        dist = [sum(abs(a - b) for a, b in zip(c, cls_rgb, strict=True)) for c in rgbs]
        assert dist == sorted(dist, reverse=True)  # each level closer to the class colour
        assert all(_luminance(c) < 0.1 for c in rgbs)  # dark enough for dots
    assert st.empty.bgcolor is not None


@pytest.mark.parametrize("n", [2, 4, MAX_CLASSES])
def test_dots_readable_over_own_region(n):
    st = default_plot_style(n)
    for c in range(n):
        fg = st.point_fg[c].color.triplet
        assert _contrast(fg, st.region_bg[c][-1].bgcolor.triplet) >= 3.5
    # A misclassified point keeps its true class's colour and is marked by attributes NO_COLOR keeps.
    assert st.flag_style.color is None and st.flag_style.underline and st.flag_style.bold
    if n == 2:
        # A blue dot in the orange region and vice versa stays visible too.
        assert _contrast(st.point_fg[1].color.triplet, st.region_bg[0][-1].bgcolor.triplet) >= 3
        assert _contrast(st.point_fg[0].color.triplet, st.region_bg[1][-1].bgcolor.triplet) >= 3


@pytest.mark.parametrize("n", [2, 4, 7])
def test_dots_readable_over_own_region_in_256_colours(n):
    st = default_plot_style(n, colors=256)
    for c in range(n):
        # What the terminal shows: the dot downsampled to the xterm palette, over its class's colour.
        fg = st.point_fg[c].color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
        bg = st.region_bg[c][-1].bgcolor.get_truecolor()
        assert _contrast(fg, bg) >= 3.5, (c, fg, bg)
    assert st.flag_style.color is None and st.flag_style.underline


def test_sixteen_classes_are_distinct():
    st = default_plot_style(MAX_CLASSES)
    assert len({s.color.triplet for s in st.point_fg}) == MAX_CLASSES
    assert len({lv[-1].bgcolor.triplet for lv in st.region_bg}) == MAX_CLASSES


def test_single_level():
    st = default_plot_style(3, levels=1)
    assert all(len(levels) == 1 for levels in st.region_bg)


def test_sixteen_colour_mode_uses_ansi_names_only():
    st = default_plot_style(4, levels=3, colors=16)
    for levels in st.region_bg:
        # A region is its texture in the class's colour on the terminal's own background, never
        # a background colour (Textual's theme paints bright blue dots and a blue region alike).
        assert all(level.bgcolor is None for level in levels)
        assert levels[0].dim and not levels[1].dim  # unsure regions' textures are dim
        assert levels[1] == levels[2]  # one colour for every confident level
        assert levels[1].color.type == ColorType.STANDARD
    assert [lv[1].color.name for lv in st.region_bg] == ["yellow", "blue", "green", "magenta"]
    assert all(s.color.type == ColorType.STANDARD for s in st.point_fg)
    assert st.textures == CLASS_TEXTURES
    assert st.flag_style.color is None and st.flag_style.underline
    assert st.empty == Style()


def test_sixteen_colour_levels_merge_into_one_run():
    st = default_plot_style(2, levels=3, colors=16)
    frame = make_frame(1, 6, region_level=np.array([[1, 2, 1, 2, 2, 1]], np.int8))
    (line,) = render_plot_lines(frame, st)
    assert len(line) == 1 and line[0].style == Style(color="yellow", dim=False)


@pytest.mark.parametrize("n", [0, -1, MAX_CLASSES + 1])
def test_bad_class_count(n):
    with pytest.raises(ValueError):
        default_plot_style(n)


def test_bad_levels():
    with pytest.raises(ValueError):
        default_plot_style(2, levels=0)


def test_combined_styles_are_cached_across_frames():
    st = default_plot_style(2)
    frame = make_frame(1, 3, bits=np.array([[1, 0, 2]], np.uint8), point_cls=np.array([[0, -1, 1]], np.int16))
    (first,) = render_plot_lines(frame, st)
    (second,) = render_plot_lines(frame, st)
    assert [s.style for s in first] == [s.style for s in second]
    assert all(a.style is b.style for a, b in zip(first, second, strict=True))


# --- held-out test points -------------------------------------------------

TEST_FG = (Style(color="#ffc080", underline=True), Style(color="#80c0ff", underline=True))


def make_test_style() -> PlotStyle:
    return PlotStyle(region_bg=REGION_BG, point_fg=POINT_FG, flag_style=FLAG, empty=EMPTY, test_fg=TEST_FG)


def expected_cell_with_test(frame: PlotFrame, r: int, c: int) -> tuple[str, Style]:
    ch, style = expected_cell(frame, r, c)
    b, flagged, pc = int(frame.bits[r, c]), bool(frame.point_flag[r, c]), int(frame.point_cls[r, c])
    if frame.point_test[r, c] and (b or flagged):
        rc = int(frame.region_cls[r, c])
        style = EMPTY if rc < 0 else REGION_BG[rc][int(frame.region_level[r, c])]
        if pc >= 0:
            style = style + TEST_FG[pc]
        if flagged:
            style = style + FLAG
    return ch, style


def test_test_cells_are_drawn_apart_from_training_cells():
    bits = np.array([[0x01, 0x01, 0x01, 0x01, 0, 0x02]], np.uint8)
    pc = np.array([[1, 1, 1, 1, -1, 0]], np.int16)
    flag = np.array([[False, False, True, True, False, False]])
    test = np.array([[False, True, False, True, True, True]])
    frame = make_frame(1, 6, bits=bits, point_cls=pc, point_flag=flag, point_test=test)
    (line,) = render_plot_lines(frame, make_test_style())
    cells = expand(line)
    train, tested, flagged_train, flagged_test, blank, other = (st for _, st in cells)
    assert train == REGION_BG[0][0] + POINT_FG[1]
    assert tested == REGION_BG[0][0] + TEST_FG[1]
    assert tested != train and tested.color != train.color
    # A misclassified test point still stands out in the flag colour, and keeps its test mark.
    assert flagged_train == REGION_BG[0][0] + POINT_FG[1] + FLAG
    assert flagged_test.color == FLAG.color and flagged_test.bold
    assert flagged_test.underline and not flagged_train.underline
    # The underline of a test cell is not spread onto the blank after it...
    assert blank.bgcolor == REGION_BG[0][0].bgcolor and not blank.underline
    # ...and a blank cell's test flag means nothing.
    assert other == REGION_BG[0][0] + TEST_FG[0]


def test_test_cells_look_like_training_cells_without_test_styles():
    bits = np.array([[0x01, 0x01]], np.uint8)
    pc = np.array([[1, 1]], np.int16)
    frame = make_frame(1, 2, bits=bits, point_cls=pc, point_test=np.array([[False, True]]))
    (line,) = render_plot_lines(frame, make_style())
    assert len(line) == 1 and line[0].style == REGION_BG[0][0] + POINT_FG[1]


@pytest.mark.parametrize("colors", [16, 256])
def test_default_test_styles_differ_from_training_styles_without_colour(colors):
    st = default_plot_style(4, colors=colors)
    assert st.test_fg is not None and len(st.test_fg) == 4
    for train, test in zip(st.point_fg, st.test_fg, strict=True):
        assert test != train
        # Underline is the misclassified mark; test points have a glyph of their own instead.
        assert not test.underline and not train.underline
    assert not 0x2800 <= ord(TEST_GLYPH) <= 0x28FF and TEST_GLYPH not in (BIG_POINT, " ")


def test_default_test_colours_are_paler_tints_that_stay_readable():
    st = default_plot_style(MAX_CLASSES)
    for c in range(MAX_CLASSES):
        train, test = st.point_fg[c].color.triplet, st.test_fg[c].color.triplet
        assert test != train and _luminance(test) > _luminance(train)
        assert _contrast(test, st.region_bg[c][-1].bgcolor.triplet) >= 3.5
    assert len({s.color.triplet for s in st.test_fg}) == MAX_CLASSES


# --- held-out test points through render_scatter ---------------------------

PLOT_W, PLOT_H = 48, 17  # render_scatter's total size, axes included


def _cell_of(x: float, y: float, extent: float, box: PlotBox) -> tuple[int, int]:
    col = int((x + extent) / (2 * extent) * box.width)
    row = int((extent - y) / (2 * extent) * box.height)
    return row, col


def _cells(lines, box: PlotBox) -> list[list[tuple[str, Style]]]:
    """The plane's cells, without axes, padding and legend."""
    rows = lines[box.top : box.top + box.height]
    return [expand(list(line))[box.left : box.left + box.width] for line in rows]


@pytest.fixture(scope="module")
def split_snapshot():
    """A snapshot whose data is one training point, one test point of the same
    predicted class and label, and one misclassified test point, in different cells."""
    snap = Trainer(PRESETS["xor"].config()).snapshot()
    extent = snap.data.extent
    candidates = np.array([[x, y] for x in (-0.6, 0.0, 0.6) for y in (-0.6, 0.0, 0.6)]) * extent
    pred = snap.drawing_layers(candidates)[-1].argmax(axis=1)
    cls = int(np.bincount(pred).argmax())
    same = candidates[pred == cls]
    assert len(same) >= 3
    data = dataclasses.replace(
        snap.data,
        X_train=same[:1],
        y_train=np.array([cls]),
        X_test=same[1:3],
        y_test=np.array([cls, 1 - cls]),  # the second test point is misclassified
    )
    return dataclasses.replace(snap, data=data), same[:3], cls


@pytest.mark.parametrize("colors", [16, 256])
def test_render_scatter_draws_test_points_apart(split_snapshot, colors):
    snap, (p_train, p_test, p_wrong), cls = split_snapshot
    extent = snap.data.extent
    style = default_plot_style(2, 4, colors)
    shown, frame = render_scatter(snap, PLOT_W, PLOT_H, ViewState(show_test=True), style)
    cells, box = _cells(shown, frame.box), frame.box
    train_ch, train_st = cells[_cell_of(*p_train, extent, box)[0]][_cell_of(*p_train, extent, box)[1]]
    test_ch, test_st = cells[_cell_of(*p_test, extent, box)[0]][_cell_of(*p_test, extent, box)[1]]
    wrong_ch, wrong_st = cells[_cell_of(*p_wrong, extent, box)[0]][_cell_of(*p_wrong, extent, box)[1]]
    # Three points are few: each is drawn a whole cell large, a test point with its own glyph.
    assert (train_ch, test_ch, wrong_ch) == (BIG_POINT, BIG_TEST_POINT, BIG_TEST_POINT)
    # In its true class's colour (here also the predicted one), the test point paler.
    assert train_st.color == style.point_fg[cls].color
    assert test_st.color == style.test_fg[cls].color
    assert not test_st.underline and not train_st.underline
    if colors > 16:
        assert test_st.color != train_st.color  # a paler tint as well
    # The misclassified test point is in its own true class's colour, marked by the underline.
    assert wrong_st.color == style.test_fg[1 - cls].color and wrong_st.underline and wrong_st.bold

    hidden, frame = render_scatter(snap, PLOT_W, PLOT_H, ViewState(show_test=False), style)
    cells, box = _cells(hidden, frame.box), frame.box
    for p in (p_test, p_wrong):
        ch, st = cells[_cell_of(*p, extent, box)[0]][_cell_of(*p, extent, box)[1]]
        assert not 0x2800 < ord(ch) <= 0x28FF  # no dot: test points are not drawn
        assert not st.underline
    assert cells[_cell_of(*p_train, extent, box)[0]][_cell_of(*p_train, extent, box)[1]] == (train_ch, train_st)


def test_hidden_space_marks_test_points_too(split_snapshot):
    snap, _, _ = split_snapshot
    style = default_plot_style(2, 4, 256)
    view = ViewState(show_test=True, hidden=True, selection=Selection(1, 0))
    lines, frame = render_scatter(snap, PLOT_W, PLOT_H, view, style)
    assert TEST_GLYPH in "".join(ch for row in _cells(lines, frame.box) for ch, _ in row)  # the test points' cells
    lines, frame = render_scatter(snap, PLOT_W, PLOT_H, dataclasses.replace(view, show_test=False), style)
    assert TEST_GLYPH not in "".join(ch for row in _cells(lines, frame.box) for ch, _ in row)


def test_legend_names_the_test_points_and_the_classes(split_snapshot):
    snap, _, _ = split_snapshot
    style = default_plot_style(2, 4, 256)

    def text(view: ViewState) -> str:
        lines, _ = render_scatter(snap, 48, 30, view, style)  # rows to spare under the plane
        return "\n".join(line.text for line in lines)

    plain = text(ViewState())
    assert "test point" not in plain
    for c, name in enumerate(snap.data.class_names):
        assert f"{c + 1} {name}" in plain
    assert "points: true class" in plain
    assert "test point" in text(ViewState(show_test=True))
    assert "points: predicted" in text(ViewState(by_prediction=True))


# --- the fast paths of a frame give numpy's numbers exactly ------------------


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    # NaN payloads may differ; every other value must match bit for bit.
    a, b = np.asarray(a), np.asarray(b)
    nan = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    if a.shape != b.shape or a.dtype != b.dtype or not np.array_equal(nan, np.isnan(b) if b.dtype.kind == "f" else nan):
        return False
    return np.where(nan, 0, a).tobytes() == np.where(nan, 0, b).tobytes()


def _awkward_rows(rng, n: int, k: int, dtype) -> np.ndarray:
    a = (rng.standard_normal((n, k)) * 10).astype(dtype)
    a[::7] = np.round(a[::7])  # ties
    if k > 1:
        a[1, :] = a[1, 0]  # a row of ties
        a[2, k - 1] = np.nan
        a[3, 0] = np.nan
        a[3, -1] = np.nan
        a[4, :] = -np.inf
        a[5, 1] = np.inf
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, 8, 12])
def test_row_reductions_match_numpy(k, dtype):
    rng = np.random.default_rng(k)
    for n in (0, 1, 9, 5000):
        a = _awkward_rows(rng, n, k, dtype) if n >= 9 else rng.standard_normal((n, k)).astype(dtype)
        with np.errstate(invalid="ignore"):
            top, arg = row_max_argmax(a)
            total = row_sum(a)
            assert _same_bits(top, a.max(axis=1)) if n else len(top) == 0
            assert np.array_equal(arg, a.argmax(axis=1)) if n else len(arg) == 0
            assert _same_bits(total, a.sum(axis=1))


@pytest.mark.parametrize("output", ["softmax", "sigmoid", "tanh", "linear"])
@pytest.mark.parametrize("k", [1, 2, 3, 5, 7, 8, 16])
def test_display_layers_match_the_network_pass(k, output):
    loss = "cross_entropy" if output in ("softmax", "sigmoid") else "mse"
    net = Network([2, 6, 5, k], activation=["relu", "tanh"], output=output, loss=loss, seed=k)
    net.params[:] = np.random.default_rng(k).standard_normal(net.params.size) * 3
    snap = SimpleNamespace(display_network=net.as_float32())
    rng = np.random.default_rng(0)
    inputs = (rng.standard_normal((4000, 2)) * 5).astype(np.float32)
    inputs[3] = np.nan
    inputs[4] = 1e30
    with np.errstate(all="ignore"):
        want = snap.display_network.forward_pass(inputs)[1]
    got = display_layers(snap, inputs)
    assert len(got) == len(want)
    assert all(_same_bits(g, w) for g, w in zip(got, want, strict=True))
    if k > 1:
        with np.errstate(all="ignore"):
            want_cls, want_conf = _reference_class_confidence(want[-1], output)
        got_cls, got_conf = class_confidence(got[-1], output)
        assert np.array_equal(got_cls, want_cls) and _same_bits(got_conf, want_conf)


def _reference_class_confidence(out: np.ndarray, output: str) -> tuple[np.ndarray, np.ndarray]:
    """class_confidence as it was, with numpy's own row reductions."""
    k = out.shape[1]
    scores = (out + 1.0) / 2.0 if output == "tanh" else np.clip(out, 0.0, None) if output == "linear" else out
    cls, top, total = scores.argmax(axis=1), scores.max(axis=1), scores.sum(axis=1)
    p = np.where(total > 0, top / total, 1.0 / k)
    return cls, np.nan_to_num((p - 1.0 / k) / (1.0 - 1.0 / k), nan=0.0)


@pytest.mark.parametrize("preset", ["spiral", "quadrants", "reg-plane"])
def test_display_layers_match_the_snapshot(preset):
    trainer = Trainer(PRESETS[preset].config())
    trainer.step(200)
    snap = trainer.snapshot()
    X = np.concatenate([snap.data.X_train, snap.data.X_test])
    want = snap.drawing_layers(X)
    got = display_layers(snap, display_inputs(snap, X))
    assert all(_same_bits(g, w) for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize(
    ("value", "shown"),
    [(6, "6"), (-6, "-6"), (1.0956, "1.1"), (-1.0956, "-1"), (12.5, "12"), (-12.5, "-12"), (-0.55, "-.6"),
     (123, "123"), (-123, ""), (-1234.5, "")],
)  # fmt: skip
def test_y_axis_labels_are_rounded_to_fit_never_cut(value, shown):
    assert fit_number(value, 3) == shown


def test_both_axes_write_a_range_with_one_number_format():
    # A CSV file's range: "1.1" above "-1" on the y axis and "-1.07283 ... 1.07283" below was one range.
    assert axis_numbers((1.07283, -1.07283), 4) == ("1.1", "-1.1")


def _plane_marks(lines, box) -> tuple[np.ndarray, np.ndarray]:
    """(cells with dots, cells underlined) of the plane in rendered ``lines``."""
    rows = [
        [(ch, seg.style) for seg in line for ch in seg.text][box.left : box.left + box.width]
        for line in lines[box.top : box.top + box.height]
    ]
    dots = np.array([[0x2800 < ord(ch) <= 0x28FF or ch in "●◦○" for ch, _ in row] for row in rows])
    marked = np.array([[bool(st and st.underline) for _, st in row] for row in rows])
    return dots, marked


@pytest.mark.parametrize("colors", [TRUECOLOR, 256, 16, MONOCHROME])
@pytest.mark.parametrize(("steps", "says"), [(0, "underlined: right"), (400, "underlined: wrong")])
def test_the_mark_goes_on_the_fewer_points_and_the_legend_says_which(colors: int, steps: int, says: str) -> None:
    """Untrained, ~80% of the quadrants' points are wrong: underlining them striped the whole
    plane. While more than two thirds are wrong the right ones are marked; trained, the wrong ones."""
    trainer = Trainer(PRESETS["seed-v2"].config())
    trainer.step(steps)
    width, height = 60, 34
    lines, frame = render_scatter(trainer.snapshot(), width, height, ViewState(), default_plot_style(4, 4, colors))
    box = frame.box
    text = "\n".join(line.text for line in lines)
    assert says in text, text
    _, predicted = row_max_argmax(frame.points.outputs)
    right = predicted == frame.points.y
    marked_points = right if says.endswith("right") else ~right
    assert marked_points.mean() < 1 / 3  # the fewer
    expected = rasterise_points(frame.points.X, frame.points.y, frame.snapshot.data.extent, box.width, box.height,
                                marked_points)[2]  # fmt: skip
    dots, marked = _plane_marks(lines, box)
    assert np.array_equal(marked & dots, expected), "the underlined cells are those holding a marked point"
    assert 0 < marked.sum() < 0.5 * dots.sum()


def test_classify_points_are_drawn_in_the_class_the_network_gives_them(split_snapshot):
    """The article's Classify Points, as the README and the help say it: fresh points in the class
    the network gives them, the wrong ones underlined, and the legend says so; p swaps to their true
    classes. They were drawn in their true classes."""
    snap, points, cls = split_snapshot  # the network gives each of the three points class cls
    p_wrong = points[2]
    style = default_plot_style(2, 4, 256)
    fresh = ClassifiedPoints(np.array(points), np.array([cls, cls, 1 - cls]))  # the third is wrong
    for swapped, colour in ((False, cls), (True, 1 - cls)):
        view = ViewState(classified=fresh, by_prediction=swapped)
        lines, frame = render_scatter(snap, PLOT_W, PLOT_H, view, style)
        row, col = _cell_of(*p_wrong, snap.data.extent, frame.box)
        _, cell = _cells(lines, frame.box)[row][col]
        assert cell.color == style.point_fg[colour].color and cell.underline, (swapped, cell)
        says = {entry.text for entry in frame.legend}
        assert ("points: predicted (p)" if colour == cls else "points: true class (p)") in says, says

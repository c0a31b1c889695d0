"""Turn plot arrays (regions + braille points) into Rich segment lines.

Kept free of Textual so it can be rendered and timed without an app; the
widget only has to wrap each line in a Strip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from nnplay.tui.raster.braille import BRAILLE_BASE
from nnplay.tui.render.palette import MONOCHROME, TRUECOLOR, blend_rgb, grey

# Index 0 is a plain space, not the blank braille pattern U+2800: some fonts
# draw U+2800 as a visible glyph and a space is what every terminal expects.
_CELL_CHARS = np.array([" "] + [chr(BRAILLE_BASE + b) for b in range(1, 256)], dtype="<U1")


@dataclass(frozen=True, eq=False)  # eq=False: ndarray fields make == ambiguous
class PlotFrame:
    """One frame of the plot, all arrays shaped (height, width).

    region_cls: int16 predicted class per cell (-1 = none; regression: 0/1 by sign).
    region_level: int8 confidence level 0..levels-1 (0 = unsure).
    bits: uint8 braille bits of the points.
    point_cls: int16 class colour of the points in the cell (-1 = none).
    point_flag: bool, e.g. a misclassified point is in this cell.
    point_test: bool or None, the cell's points are mostly held-out test points
        (drawn with the style's ``test_fg`` instead of ``point_fg``).
    glyphs: '<U1' or None, a character drawn instead of the braille dots where it is not
        "" (a big point, a test point's mark, the edit cursor); such a cell counts as drawn.
    """

    region_cls: np.ndarray
    region_level: np.ndarray
    bits: np.ndarray
    point_cls: np.ndarray
    point_flag: np.ndarray
    point_test: np.ndarray | None = None
    glyphs: np.ndarray | None = None
    # The region of each cell's lower half (the fields above are its upper half), for twice the
    # resolution: a cell without points whose halves differ is drawn as "▀" in two colours.
    lower_cls: np.ndarray | None = None
    lower_level: np.ndarray | None = None


@dataclass(frozen=True)
class PlotStyle:
    """Styles for a plot.

    region_bg[cls][level]: background of a region cell.
    point_fg[cls]: foreground for dots of that class.
    flag_style: layered over region background and point colour in cells
        holding a flagged point, so it must stand out on every region.
    empty: background for cells with no region class (-1), e.g. before the
        first prediction.
    test_fg[cls]: foreground for dots of that class in cells of mostly test
        points, used instead of point_fg (None: test points look like training
        points).  The test points' own glyph (TEST_GLYPH, via PlotFrame.glyphs) is
        what keeps them apart where colour is missing.
    """

    region_bg: tuple[tuple[Style, ...], ...]
    point_fg: tuple[Style, ...]
    flag_style: Style
    empty: Style
    # For 16-colour and monochrome terminals: a character per class drawn on every other
    # empty cell, so regions differ by more than hue (None: colour alone).
    textures: tuple[str, ...] | None = None
    test_fg: tuple[Style, ...] | None = None
    # Render caches, filled lazily and kept for the style's lifetime (one per
    # widget) so steady-state frames never build a Style.  A frozen dataclass
    # cannot rebind fields, but it can fill these containers.
    _combined: dict[tuple[int, int, int, bool, bool, bool], Style] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    # key-space size -> (render key -> style id, -1 = not built yet)
    _key_ids: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _styles: list[Style] = field(default_factory=list, init=False, repr=False, compare=False, hash=False)
    # Equal Styles from different keys (16-colour mode paints several levels
    # one colour) share an id so their neighbouring runs merge.
    _style_ids: dict[Style, int] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def cell_style(
        self, region_cls: int, level: int, point_cls: int, flagged: bool, has_dots: bool, test: bool = False
    ) -> Style:
        """The style of one cell, built once and then served from the cache.

        Classes must be -1 or valid indices; render_plot_lines maps
        out-of-range classes to -1 before calling this.
        """
        test = test and self.test_fg is not None
        key = (region_cls, level, point_cls, flagged, has_dots, test)
        style = self._combined.get(key)
        if style is None:
            if region_cls < 0:
                style = self.empty
            else:
                style = self.region_bg[region_cls][level]
            if has_dots or flagged:
                if point_cls >= 0:
                    style = style + self._dot_style(point_cls, test)
                if flagged:
                    style = style + self.flag_style
            self._combined[key] = style
        return style

    def _ids_for_keys(
        self, keys: np.ndarray, key_space: int, levels: int, n_point_keys: int
    ) -> tuple[np.ndarray, list[Style]]:
        """Style id per render key, and the id -> Style list."""
        table = self._key_ids.get(key_space)
        if table is None:
            table = self._key_ids[key_space] = np.full(key_space, -1, dtype=np.intp)
        ids = table[keys]
        unknown = ids < 0
        if unknown.any():
            base = self._base_space(levels, n_point_keys)
            # Only keys never seen with this style reach Python; later frames
            # are a pure table lookup however many distinct styles they use.
            for key in np.unique(keys[unknown]).tolist():
                if key >= base:
                    upper, lower = divmod(key - base, 1 + self._sizes[0] * levels)
                    cell_style = self._half_style(upper, lower, levels)
                else:
                    cell_style = self.cell_style(*_decode_key(key, levels, n_point_keys))
                sid = self._style_ids.get(cell_style)
                if sid is None:
                    sid = self._style_ids[cell_style] = len(self._styles)
                    self._styles.append(cell_style)
                table[key] = sid
            ids = table[keys]
        return ids, self._styles

    def _base_space(self, levels: int, n_point_keys: int) -> int:
        """Keys below this are cell keys; from it on, half-block keys (upper, lower region code)."""
        return (1 + self._sizes[0] * levels) * n_point_keys

    def _half_style(self, upper: int, lower: int, levels: int) -> Style:
        """ "▀" in the upper half's region colour over the lower half's."""

        def bg(code: int):
            if code == 0:
                return self.empty.bgcolor
            cls, level = divmod(code - 1, levels)
            return self.region_bg[cls][level].bgcolor

        return Style(color=bg(upper), bgcolor=bg(lower))

    @property
    def half_blocks(self) -> bool:
        """Can regions be drawn at half-cell resolution? Only where every region has a colour of
        its own (textures and the terminal's default background cannot be a half block's colour)."""
        return (
            not self.textures
            and self.empty.bgcolor is not None
            and all(st.bgcolor is not None for levels in self.region_bg for st in levels)
        )

    @cached_property
    def _code_colours(self) -> np.ndarray:
        """Per region code (0 = none, else 1 + cls * levels + level): an id of its background colour,
        equal for equal colours (256- and 16-colour palettes paint several levels alike), so only
        halves that look different become a half block."""
        colours = [self.empty.bgcolor] + [st.bgcolor for levels in self.region_bg for st in levels]
        ids: dict[object, int] = {}
        return np.array([ids.setdefault(c, len(ids)) for c in colours], dtype=np.intp)

    @cached_property
    def _sizes(self) -> tuple[int, int, int]:
        """(region classes, levels, point classes)."""
        n_region = len(self.region_bg)
        return n_region, len(self.region_bg[0]) if n_region else 1, len(self.point_fg)

    @cached_property
    def _key_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lookup tables from clipped class indices to the parts of a render key.

        region: ``[(cls + 1) * levels + level]`` -> ``region_code * n_point_keys``,
        for cls -1..n_region (the ends: no region).  point and donor:
        ``[(cls + 1) * 8 + low]`` -> ``point_code * 8 + low`` (0 where nothing is
        drawn) and "a blank cell may borrow this cell's key", for cls -1..n_point.
        """
        n_region, levels, n_point = self._sizes
        n_point_keys = (n_point + 2) * 8
        region = np.zeros((n_region + 2, levels), dtype=np.intp)
        region[1 : n_region + 1] = 1 + np.arange(n_region * levels).reshape(n_region, levels)
        region *= n_point_keys

        codes = np.array([1, *range(2, n_point + 2), 1])  # class -1 and out-of-range classes: code 1
        low = np.arange(8)
        drawn = (low & 3) != 0
        point = np.where(drawn, codes[:, np.newaxis] * 8 + low, 0)
        # Only unflagged dot cells are donors, and only if their dot style is
        # invisible on a space (a dot without class has no dot style at all).
        safe = np.stack((self.point_fg_blank_safe, self.test_fg_blank_safe), axis=1)
        safe = np.concatenate(([[True, True]], safe, [[True, True]]))
        donor = ((low & 3) == 2) & safe[:, (low >> 2)]
        return region.ravel(), point.ravel(), donor.ravel()

    def _dot_style(self, point_cls: int, test: bool) -> Style:
        # Classes without a test style (e.g. one added by replace()) fall back to point_fg.
        if test and self.test_fg is not None and point_cls < len(self.test_fg):
            return self.test_fg[point_cls]
        return self.point_fg[point_cls]

    @cached_property
    def point_fg_blank_safe(self) -> np.ndarray:
        """Per point class: does its style look the same as none on a space?

        Such styles may be spread over the blank cells after a dot so the run
        continues instead of breaking on every gap between dots.
        """
        return np.array([_invisible_on_space(st) for st in self.point_fg], dtype=bool)

    @cached_property
    def test_fg_blank_safe(self) -> np.ndarray:
        """As point_fg_blank_safe, for the dots of test cells."""
        return np.array([_invisible_on_space(self._dot_style(c, True)) for c in range(len(self.point_fg))], dtype=bool)


def _invisible_on_space(st: Style) -> bool:
    decorations = (st.underline, st.underline2, st.overline, st.strike, st.reverse, st.frame, st.encircle)
    return st.bgcolor is None and st.link is None and not any(decorations)


def _region_rows(cls: np.ndarray, level: np.ndarray, n_region: int, levels: int) -> np.ndarray:
    """Each cell's row in the region key table: out-of-range classes clip onto the "none" rows at
    either end, levels onto the valid range."""
    rows = cls.astype(np.intp)
    np.clip(rows, -1, n_region, out=rows)
    rows += 1
    rows *= levels
    level = level.astype(np.intp)
    np.clip(level, 0, levels - 1, out=level)
    rows += level
    return rows


def _style_keys(frame: PlotFrame, style: PlotStyle) -> tuple[np.ndarray, int, int, int]:
    """Per-cell int key (equal keys = equal style inputs), plus what decodes it.

    Returns ``(keys, key_space, levels, n_point_keys)``; every key is below
    ``key_space``, which stays small (a few thousand at 16 classes), so keys can
    index lookup tables instead of being sorted by np.unique.

    A key is ``region_code * n_point_keys + point_code * 8 + low``: region_code
    0 is no region (any level), else ``1 + cls * levels + level``; point_code 0
    is nothing drawn, 1 a dot without class, else ``cls + 2``; low's bits are
    flagged (1), has dots (2) and test (4).
    """
    n_region, levels, n_point = style._sizes
    n_point_keys = (n_point + 2) * 8
    region_lut, point_lut, donor_lut = style._key_tables

    region_part = region_lut.take(_region_rows(frame.region_cls, frame.region_level, n_region, levels))

    has_dots = np.not_equal(frame.bits, 0)
    if frame.glyphs is not None:
        has_dots |= frame.glyphs != ""
    flagged = np.asarray(frame.point_flag, dtype=bool)
    drawn = has_dots | flagged
    low = flagged.view(np.uint8) | (has_dots.view(np.uint8) << 1)
    if frame.point_test is not None and style.test_fg is not None:
        low |= np.asarray(frame.point_test, dtype=bool).view(np.uint8) << 2
    point_index = frame.point_cls.astype(np.intp)
    np.clip(point_index, -1, n_point, out=point_index)
    point_index += 1
    point_index <<= 3
    point_index += low
    # Point colour only matters where something is drawn, so blank cells share a key.
    keys = region_part + point_lut.take(point_index)

    # A space looks the same with or without a plain foreground colour, so a
    # blank cell borrows the key of the last dot cell to its left on the same
    # background; otherwise every gap between dots would cost a new segment
    # (roughly halving the escape-sequence bytes on a typical frame).
    donor = donor_lut.take(point_index)
    if donor.any():
        flat = np.arange(keys.size).reshape(keys.shape)
        src = np.maximum.accumulate(np.where(donor, flat, -1), axis=1)
        src_clamped = np.maximum(src, 0)
        borrow = ~drawn & (src >= 0) & (region_part.take(src_clamped) == region_part)
        textured = _textured_cells(frame, style)
        if textured is not None:  # a texture is drawn in its region's colour, not a dot's
            borrow &= ~textured
        keys = np.where(borrow, keys.take(src_clamped), keys)
    key_space = (1 + n_region * levels) * n_point_keys
    if frame.lower_cls is not None and frame.lower_level is not None and style.half_blocks:
        upper_code = region_part // n_point_keys  # 0 = no region, else 1 + cls * levels + level
        lower_rows = _region_rows(frame.lower_cls, frame.lower_level, n_region, levels)
        lower_code = region_lut.take(lower_rows) // n_point_keys
        same_colour = style._code_colours
        split = ~drawn & (same_colour.take(upper_code) != same_colour.take(lower_code))
        if split.any():
            n_codes = 1 + n_region * levels
            keys = np.where(split, key_space + upper_code * n_codes + lower_code, keys)
        key_space += (1 + n_region * levels) ** 2
    return keys.ravel(), key_space, levels, n_point_keys


def _textured_cells(frame: PlotFrame, style: PlotStyle) -> np.ndarray | None:
    """Where the style draws its region texture: every other empty cell of a region (None: nowhere)."""
    if not style.textures:
        return None
    rows, cols = np.indices(frame.bits.shape)
    empty = frame.bits == 0
    if frame.glyphs is not None:
        empty &= frame.glyphs == ""
    return empty & (np.asarray(frame.region_cls) >= 0) & ((rows + cols) % 2 == 0)


def _decode_key(key: int, levels: int, n_point_keys: int) -> tuple[int, int, int, bool, bool, bool]:
    region_code, point_key = divmod(key, n_point_keys)
    region_cls, level = (-1, 0) if region_code == 0 else divmod(region_code - 1, levels)
    point_code, low = divmod(point_key, 8)
    # point_code 0 (nothing drawn) and 1 (no class) both mean "no point colour".
    return region_cls, level, max(point_code - 2, -1), bool(low & 1), bool(low & 2), bool(low & 4)


def render_plot_lines(frame: PlotFrame, style: PlotStyle) -> list[list[Segment]]:
    """Render a frame to ``height`` lines of Segments, each exactly ``width`` cells.

    Runs of neighbouring cells with the same style become one Segment, which
    keeps the escape-sequence traffic small (this matters over SSH).
    """
    bits = np.asarray(frame.bits, dtype=np.uint8)
    height, width = bits.shape
    if height == 0 or width == 0:
        return [[] for _ in range(height)]

    keys, key_space, levels, n_point_keys = _style_keys(frame, style)
    ids, styles = style._ids_for_keys(keys, key_space, levels, n_point_keys)

    # A run starts at every row start and wherever the style changes.
    starts_mask = np.empty(ids.shape[0], dtype=bool)
    starts_mask[0] = True
    np.not_equal(ids[1:], ids[:-1], out=starts_mask[1:])
    starts_mask[::width] = True
    starts = np.flatnonzero(starts_mask)
    ends = np.append(starts[1:], ids.shape[0])

    cell_chars = _CELL_CHARS.take(bits)
    marked = _textured_cells(frame, style)
    if marked is not None and style.textures:  # textures there are cells to texture
        region = np.asarray(frame.region_cls)
        cell_chars = cell_chars.copy()
        cell_chars[marked] = np.array(style.textures, dtype="<U1")[region[marked] % len(style.textures)]
    if frame.lower_cls is not None and style.half_blocks:
        cell_chars = np.where(keys.reshape(bits.shape) >= style._base_space(levels, n_point_keys), "▀", cell_chars)
    if frame.glyphs is not None:
        glyphed = frame.glyphs != ""
        if glyphed.any():
            cell_chars = np.where(glyphed, frame.glyphs, cell_chars)
    # One decode for the whole grid: a '<U1' array's buffer is UTF-32-LE.
    text = cell_chars.tobytes().decode("utf-32-le")
    run_texts = [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    run_styles = map(styles.__getitem__, ids[starts].tolist())
    # tuple.__new__ makes a Segment (a NamedTuple) without the slower generated
    # __new__, control None as Segment(text, style) would; about half the cost
    # for the few hundred runs of a frame.
    segments = list(map(tuple.__new__, repeat(Segment), zip(run_texts, run_styles, repeat(None))))

    row_bounds = np.searchsorted(starts, np.arange(height + 1) * width).tolist()
    return [segments[row_bounds[r] : row_bounds[r + 1]] for r in range(height)]


# TensorFlow Playground's orange/blue first; the rest alternate light and dark
# so neighbouring class indices differ in lightness, not only hue.
CLASS_RGB: tuple[tuple[int, int, int], ...] = (
    (0xF5, 0x93, 0x22),  # orange
    (0x08, 0x77, 0xBD),  # blue
    (0x7F, 0xD1, 0x3B),  # light green
    (0xC2, 0x18, 0x5B),  # crimson
    (0xFF, 0xE0, 0x4A),  # yellow
    (0x6A, 0x3D, 0x9A),  # purple
    (0x4D, 0xD0, 0xE1),  # cyan
    (0x8D, 0x5A, 0x2B),  # brown
    (0xF4, 0x8F, 0xB1),  # pink
    (0x1B, 0x5E, 0x20),  # dark green
    (0xB0, 0xBE, 0xC5),  # light blue-grey
    (0xE5, 0x39, 0x35),  # red
    (0xCE, 0x93, 0xD8),  # lavender
    (0x00, 0x69, 0x6B),  # teal
    (0xFF, 0xCC, 0x80),  # peach
    (0x5C, 0x6B, 0xC0),  # indigo
)
MAX_CLASSES = len(CLASS_RGB)
# Region textures for 16-colour and monochrome terminals: lines and shades, never a dot or a
# small mark, so a texture cannot be read as a data point (points are braille, "●" and "◦").
CLASS_TEXTURES = (" ", "╱", "╲", "╳", "░", "┄", "┆", "▚", "▞", "≈", "#", "%", "▖", "▗", "▘", "▝")

_BASE_RGB = (0x1C, 0x1C, 0x1C)  # neutral dark grey under every region
_WHITE = (0xFF, 0xFF, 0xFF)
# Tint range of the region background: level 0 is barely off the base grey,
# the top level is clearly tinted yet dark enough for dots drawn over it.
_TINT_LOW = 0.06
_TINT_HIGH = 0.32
# Dots are lightened toward white so they keep contrast against even the
# most strongly tinted background of their own class.
_DOT_LIGHTEN = 0.35
# Test points are a paler tint of their class, and drawn with a glyph of their own
# (TEST_GLYPH) so NO_COLOR and 16-colour terminals tell them apart too.
_TEST_LIGHTEN = 0.6
# A misclassified point keeps its true class's colour (the playground's convention) and is
# underlined and bold: attributes every colour depth, NO_COLOR included, shows.
FLAG_STYLE = Style(underline=True, bold=True)
BIG_POINT = "●"  # a point drawn a whole cell large when there are few of them
BIG_TEST_POINT = "○"

# 16-colour mode: (region background, dot colour) per class, cycling if needed.
_ANSI_CLASS_COLORS: tuple[tuple[str, str], ...] = (
    ("yellow", "bright_yellow"),
    ("blue", "bright_blue"),
    ("green", "bright_green"),
    ("magenta", "bright_magenta"),
    ("cyan", "bright_cyan"),
    ("red", "bright_red"),
)


# 256-colour terminals: per class, (region background at confidence levels 1 and up, dot colour),
# both xterm-palette colours of the class's own hue: downsampled, the truecolor tints turned
# orange into maroon (52) under orange dots, and orange, light green and yellow into one colour.
# Backgrounds are dark (channels 0, 95 or 135), dots light, >= 3.5:1 apart. Level 0 is the
# neutral base (234). More classes than this get the per-class textures as well.
_XTERM_CLASSES = (
    (94, 222),  # orange: (135, 95, 0) under (255, 215, 135)
    (24, 117),  # blue: (0, 95, 135) under (135, 215, 255)
    (22, 156),  # green: (0, 95, 0) under (175, 255, 135)
    (89, 211),  # crimson: (135, 0, 95) under (255, 135, 175)
    (58, 229),  # yellow: (95, 95, 0) under (255, 255, 175)
    (54, 183),  # purple: (95, 0, 135) under (215, 175, 255)
    (23, 159),  # cyan: (0, 95, 95) under (175, 255, 255)
)
_XTERM_BASE = 234


# NO_COLOR: the points' greys, one per class, each step >= 1.6:1 in contrast from the next and
# >= 3.5:1 from a dark background; more classes than steps share a grey (their regions' textures
# still differ). The regions' textures are darker greys than any point.
MONO_DOT_GREYS = (255, 200, 150, 110)
_MONO_TEXTURE_GREYS = (64, 92)  # unsure, confident


def _textured_plot_style(n_classes: int, levels: int, colors: int) -> PlotStyle:
    """16 colours and NO_COLOR: each region is its class's texture drawn on the terminal's own
    background, never a background colour, so a point differs from the region under it whatever
    the terminal makes of colour names (Textual's theme paints bright blue and blue alike, and
    NO_COLOR turns a class's two colours into one grey). Low confidence draws the texture dim."""
    confident = [level >= levels // 2 for level in range(levels)]
    if colors == MONOCHROME:
        textures = [grey(_MONO_TEXTURE_GREYS[sure]) for sure in confident]
        region_bg = tuple(tuple(Style(color=colour) for colour in textures) for _ in range(n_classes))
        # Fewer classes than steps take every other step: two classes are two steps apart.
        steps = MONO_DOT_GREYS[:: max(1, len(MONO_DOT_GREYS) // n_classes)]
        dots = [grey(steps[c % len(steps)]) for c in range(n_classes)]
        point_fg = tuple(Style(color=colour) for colour in dots)
        test_fg = point_fg
    else:
        pairs = [_ANSI_CLASS_COLORS[c % len(_ANSI_CLASS_COLORS)] for c in range(n_classes)]
        region_bg = tuple(tuple(Style(color=dim, dim=not sure) for sure in confident) for dim, _ in pairs)
        # dim=False: a point on an unsure (dim) region is drawn at full strength.
        point_fg = tuple(Style(color=bright, bold=True, dim=False) for _, bright in pairs)
        test_fg = tuple(Style(color=bright, dim=False) for _, bright in pairs)
    return PlotStyle(
        region_bg=region_bg,
        point_fg=point_fg,
        flag_style=FLAG_STYLE,
        empty=Style(),
        textures=CLASS_TEXTURES,
        test_fg=test_fg,
    )


def _rgb(rgb: tuple[int, int, int]) -> Color:
    return Color.from_rgb(*rgb)


def default_plot_style(n_classes: int, levels: int = 4, colors: int = TRUECOLOR) -> PlotStyle:
    """Default styles for ``n_classes`` (1..16) classes and ``levels`` confidence levels.

    ``colors`` <= 16 draws regions as textures (``_textured_plot_style``): 16 uses the standard
    ANSI colour names, ``MONOCHROME`` (NO_COLOR) greys; 256 uses
    distinct xterm-palette colours per class; ``TRUECOLOR`` uses RGB blends.
    For regression pass ``n_classes=2`` (sign of the output).
    """
    if not 1 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"n_classes must be in 1..{MAX_CLASSES}, got {n_classes}")
    if levels < 1:
        raise ValueError(f"levels must be >= 1, got {levels}")

    if colors <= 16:
        return _textured_plot_style(n_classes, levels, colors)

    class_rgb = CLASS_RGB[:n_classes]
    point_fg = tuple(Style(color=_rgb(blend_rgb(rgb, _WHITE, _DOT_LIGHTEN))) for rgb in class_rgb)
    test_fg = tuple(Style(color=_rgb(blend_rgb(rgb, _WHITE, _TEST_LIGHTEN))) for rgb in class_rgb)
    textures = None
    if colors < TRUECOLOR and n_classes <= len(_XTERM_CLASSES):
        empty = Style(bgcolor=Color.from_ansi(_XTERM_BASE))
        region_bg = tuple(
            tuple(empty if level == 0 else Style(bgcolor=Color.from_ansi(bg)) for level in range(levels))
            for bg, _ in _XTERM_CLASSES[:n_classes]
        )
        point_fg = tuple(Style(color=Color.from_ansi(dot)) for _, dot in _XTERM_CLASSES[:n_classes])
    else:
        steps = (
            [_TINT_LOW]
            if levels == 1
            else [_TINT_LOW + (_TINT_HIGH - _TINT_LOW) * level / (levels - 1) for level in range(levels)]
        )
        empty = Style(bgcolor=_rgb(_BASE_RGB))
        region_bg = tuple(tuple(Style(bgcolor=_rgb(blend_rgb(_BASE_RGB, rgb, t))) for t in steps) for rgb in class_rgb)
        if colors < TRUECOLOR:  # past the xterm table, 256 colours cannot keep every class apart
            textures = CLASS_TEXTURES
    return PlotStyle(
        region_bg=region_bg,
        point_fg=point_fg,
        flag_style=FLAG_STYLE,
        empty=empty,
        test_fg=test_fg,
        textures=textures,
    )

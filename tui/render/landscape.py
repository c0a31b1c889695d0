"""The loss landscape as cells: a heat map of the loss with its contour steps, the path, a scale.

Loss is brightness (dark is low: the bowl's bottom is the darkest), in grey, because hue already
means something else here (orange/blue: a weight's sign; the class colours: classes). Each step
of the scale is one contour band, the steps logarithmic between the lowest and highest loss
measured, as losses span orders of magnitude away from a minimum. With colours, a cell holds two
grid rows ("▀": foreground above, background below); in 16 colours and NO_COLOR a cell is one
grid row drawn in shading glyphs, darkest " " to brightest "█", so the steps read without colour.
The path is "•" and the weights shown "●" in magenta, a hue nothing else uses, and glyphs that no
step uses, so they stand out in every colour depth. Consecutive points of the path are joined by
"∙" through the cells between them: a rate that jumps across the valley at every step draws a
zig-zag, not a cloud of points on both sides.
"""

from __future__ import annotations

import textwrap

import numpy as np
from rich.style import Style
from rich.text import Text

from nnplay.tui.model.landscape_view import LandscapePicture
from nnplay.tui.render.palette import blend_rgb, rgb

STEPS = 8
DARK, BRIGHT = (0x12, 0x12, 0x12), (0xE8, 0xE8, 0xE8)
PATH_RGB = (0xD3, 0x36, 0x82)
SHADES = " .:-=+*#"  # 16 colours / NO_COLOR: one glyph a step, each denser than the last
PATH_GLYPH, HERE_GLYPH, STEP_GLYPH = "•", "●", "∙"


def step_edges(losses: np.ndarray) -> np.ndarray:
    """STEPS + 1 edges of the contour steps: logarithmic from the lowest loss to the highest (linear
    when the lowest is not above zero or the range is flat)."""
    finite = losses[np.isfinite(losses)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1e-12 + abs(lo) * 1e-9
    if lo > 0 and hi / lo > 1.5:
        return np.geomspace(lo, hi, STEPS + 1)
    return np.linspace(lo, hi, STEPS + 1)


def steps_of(losses: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Each loss's step, 0 (lowest) .. STEPS - 1; a loss that is not finite is the highest."""
    with np.errstate(invalid="ignore"):
        levels = np.searchsorted(edges[1:-1], np.nan_to_num(losses, nan=np.inf), side="right")
    return np.clip(levels, 0, STEPS - 1)


def step_rgb(level: int) -> tuple[int, int, int]:
    return blend_rgb(DARK, BRIGHT, (level + 0.5) / STEPS)


def _cell_indices(n_cells: int, n_grid: int) -> np.ndarray:
    """The grid index each of ``n_cells`` shows, spread over the whole grid (nearest neighbour)."""
    return np.rint(np.linspace(0, n_grid - 1, n_cells)).astype(int)


def _to_cell(coord: np.ndarray, axis: np.ndarray, n_cells: int) -> np.ndarray:
    """Cell index of plane coordinates along one axis (clipped into the picture)."""
    t = (coord - axis[0]) / (axis[-1] - axis[0])
    return np.clip(np.rint(t * (n_cells - 1)), 0, n_cells - 1).astype(int)


def segment_cells(cols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cells on the straight lines from each point to the next (each line's first cell
    included, its last left to the next line), as columns and rows."""
    dc, dr = np.diff(cols), np.diff(rows)
    n = np.maximum(np.abs(dc), np.abs(dr))
    seg = np.repeat(np.arange(len(n)), n)
    t = (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(np.maximum(n, 1), n)
    return np.rint(cols[:-1][seg] + t * dc[seg]).astype(int), np.rint(rows[:-1][seg] + t * dr[seg]).astype(int)


def render_landscape(picture: LandscapePicture, width: int, height: int, colors: int) -> Text:
    """The view in ``width`` x ``height`` cells."""
    ls = picture.landscape
    plane = ls.plane
    edges = step_edges(ls.losses)
    coloured = colors > 16
    a, b = ls.alphas[-1], ls.betas[-1]
    top = fitted((f"↑ {plane.labels[1]}  ±{b:.2g}", f"↑ {plane.labels[1]} ±{b:.2g}", f"↑ {plane.labels[1]}"), width)
    bottom = fitted(
        (
            f"→ {plane.labels[0]}  ±{a:.2g}   {HERE_GLYPH} now {PATH_GLYPH} path",
            f"→ {plane.labels[0]} ±{a:.2g} {HERE_GLYPH}now {PATH_GLYPH}path",
            f"→ {plane.labels[0]} {HERE_GLYPH}now {PATH_GLYPH}path",  # the marks' key before the range
            f"→ {plane.labels[0]} ±{a:.2g}",
            f"→ {plane.labels[0]}",
        ),
        width,
    )
    note = textwrap.wrap(picture.note, max(width, 10))
    if len(note) > 2:
        note = textwrap.wrap(picture.short_note, max(width, 10))
    map_rows = height - 3 - len(note)
    out = Text(no_wrap=True, overflow="crop")
    if map_rows < 3 or width < 12:
        out.append("landscape: the pane is too small (make the terminal bigger)", Style(dim=True))
        return out
    dim = Style(dim=True)
    out.append(top[:width] + "\n", dim)
    half_rows = 2 if coloured else 1
    sub_rows = map_rows * half_rows
    cols_at = _cell_indices(width, len(ls.alphas))
    rows_at = _cell_indices(sub_rows, len(ls.betas))[::-1]  # the top of the picture is the highest beta
    levels = steps_of(ls.losses, edges)[np.ix_(rows_at, cols_at)]  # (sub_rows, width)
    marks: dict[tuple[int, int], str] = {}
    if len(picture.path):
        pc, pr = _to_cell(picture.path[:, 0], ls.alphas, width), _to_cell(picture.path[:, 1], ls.betas, map_rows)
        for c, r in zip(*segment_cells(pc, pr), strict=True):
            marks[(map_rows - 1 - r, c)] = STEP_GLYPH
        for c, r in zip(pc, pr, strict=True):
            marks[(map_rows - 1 - r, c)] = PATH_GLYPH
    hc = int(_to_cell(np.array([picture.here[0]]), ls.alphas, width)[0])
    hr = int(_to_cell(np.array([picture.here[1]]), ls.betas, map_rows)[0])
    marks[(map_rows - 1 - hr, hc)] = HERE_GLYPH
    mark_style = Style(color=rgb(PATH_RGB), bold=True) if coloured else Style(bold=True, reverse=True)
    step_styles = [Style(color=rgb(step_rgb(k)), bgcolor=rgb(step_rgb(k))) for k in range(STEPS)]
    for r in range(map_rows):
        for c in range(width):
            glyph = marks.get((r, c))
            if coloured:
                upper, lower = levels[2 * r, c], levels[2 * r + 1, c]
                if glyph:
                    out.append(glyph, mark_style + Style(bgcolor=rgb(step_rgb(int(lower)))))
                else:
                    out.append("▀", Style(color=rgb(step_rgb(int(upper))), bgcolor=rgb(step_rgb(int(lower)))))
            else:
                out.append(glyph or SHADES[int(levels[r, c])], mark_style if glyph else Style())
        out.append("\n")
    out.append(bottom[:width] + "\n", dim)
    out.append_text(scale_line(edges, width, coloured, step_styles))
    for line in note:
        out.append("\n" + line, dim)
    return out


def fitted(forms: tuple[str, ...], width: int) -> str:
    """The first of ``forms`` (longest first) that fits ``width`` cells, else the last one."""
    return next((form for form in forms if len(form) <= width), forms[-1])


def scale_line(edges: np.ndarray, width: int, coloured: bool, styles: list[Style]) -> Text:
    """``loss log 0.12 ████████ 3.4``: the steps from lowest to highest loss, with the values at the
    ends; "log" when the steps are logarithmic. Shorter forms on a narrow pane, never cut."""
    lo, hi = f"{edges[0]:.3g}", f"{edges[-1]:.3g}"
    kind = " log" if edges[0] > 0 and _is_geometric(edges) and edges[-1] / edges[0] > 1.5 else ""
    # Longest first: wide swatches, one cell each, without "log", without "loss", without spaces.
    forms = (
        (f"loss{kind} {lo} ", 2, f" {hi}"),
        (f"loss{kind} {lo} ", 1, f" {hi}"),
        (f"loss {lo} ", 1, f" {hi}"),
        (f"{lo} ", 1, f" {hi}"),
        (lo, 1, hi),
    )
    head, swatch, tail = next((f for f in forms if len(f[0]) + STEPS * f[1] + len(f[2]) <= width), forms[-1])
    out = Text(no_wrap=True, overflow="crop")
    out.append(head, Style(dim=True))
    for k in range(STEPS):
        if coloured:
            out.append(" " * swatch, styles[k])
        else:
            out.append(SHADES[k] * swatch)
    out.append(tail, Style(dim=True))
    return out


def _is_geometric(edges: np.ndarray) -> bool:
    ratios = edges[1:] / edges[:-1]
    return bool(np.allclose(ratios, ratios[0]))

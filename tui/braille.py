"""Braille rasterisation of the plot: pure numpy, no terminal code.

Each terminal cell holds a 2x4 grid of braille dots, so a ``width`` x ``height``
cell plot is a ``2*width`` x ``4*height`` dot bitmap.  Row 0 is the TOP of the
plot (data y = +extent) because terminals draw downwards while the data plane's
y axis points up; :func:`data_to_dots` is the single place that flip happens.
"""

from __future__ import annotations

import numpy as np

BRAILLE_BASE = 0x2800

# DOT_BITS[sub_row, sub_col]: the Unicode braille numbering is not row-major
# (dots 7 and 8 were added later), hence the 0x40/0x80 bottom row.
DOT_BITS = np.array(
    [
        [0x01, 0x08],
        [0x02, 0x10],
        [0x04, 0x20],
        [0x40, 0x80],
    ],
    dtype=np.uint8,
)


def _check_grid(extent: float, width: int, height: int) -> None:
    if not (np.isfinite(extent) and extent > 0):
        raise ValueError(f"extent must be a positive finite number, got {extent!r}")
    if width < 1 or height < 1:
        raise ValueError(f"plot must be at least 1x1 cells, got {width}x{height}")


def cell_centres(extent: float, width: int, height: int) -> np.ndarray:
    """Data coordinates of every cell centre, shape ``(height*width, 2)``.

    Row-major with row 0 at the top (y near +extent) and column 0 at the left
    (x near -extent), i.e. the same order as ``array.reshape(height, width)``
    of the region grid, so a model's predictions on these points reshape
    straight into the plot.
    """
    _check_grid(extent, width, height)
    cell_w = 2.0 * extent / width
    cell_h = 2.0 * extent / height
    xs = -extent + (np.arange(width, dtype=np.float64) + 0.5) * cell_w
    ys = extent - (np.arange(height, dtype=np.float64) + 0.5) * cell_h
    out = np.empty((height, width, 2), dtype=np.float64)
    out[:, :, 0] = xs[np.newaxis, :]
    out[:, :, 1] = ys[:, np.newaxis]
    return out.reshape(height * width, 2)


def data_to_dots(X: np.ndarray, extent: float, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map data points to dot coordinates, flipping y so dot row 0 is the top.

    Returns ``(dot_row, dot_col, inside)``: ``inside`` is a bool mask over the n
    input points for the closed square ``[-extent, extent]^2``, and the intp
    ``dot_row``/``dot_col`` arrays hold only the inside points, in input order
    (filter any per-point array with ``inside`` to line it up).  Points exactly
    on the right/bottom edge fold into the last dot so the closed square is
    fully covered.
    """
    _check_grid(extent, width, height)
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    col = (X[:, 0] + extent) * (width / extent)
    row = (extent - X[:, 1]) * (2.0 * height / extent)
    # Comparisons with NaN are False, so NaN/inf points are dropped here too.
    inside = (col >= 0.0) & (col <= 2.0 * width) & (row >= 0.0) & (row <= 4.0 * height)
    if not inside.all():
        col = col[inside]
        row = row[inside]
    # Truncation equals floor for the non-negative values left after masking.
    dot_col = np.minimum(col.astype(np.intp), 2 * width - 1)
    dot_row = np.minimum(row.astype(np.intp), 4 * height - 1)
    return dot_row, dot_col, inside


def rasterise_points(
    X: np.ndarray,
    cls: np.ndarray,
    extent: float,
    width: int,
    height: int,
    flagged: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rasterise points into braille bits plus per-cell colour and flag.

    ``cls`` is the class per point (``-1`` = no class: the dot is drawn but does
    not vote for the cell colour).  Returns ``(bits, cell_cls, cell_flag)``:

    * ``bits`` (height, width) uint8 braille bitmask, ``chr(0x2800 + bits)``;
    * ``cell_cls`` (height, width) int16, most frequent class among the cell's
      points, ties to the lowest class, ``-1`` for cells without classed points;
    * ``cell_flag`` (height, width) bool, any flagged point in the cell.

    Points outside ``[-extent, extent]^2`` (or non-finite) are dropped.
    """
    n_cells = width * height
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    cls = np.asarray(cls).reshape(-1)
    if cls.shape[0] != X.shape[0]:
        raise ValueError(f"cls has {cls.shape[0]} entries for {X.shape[0]} points")
    if flagged is not None:
        flagged = np.asarray(flagged, dtype=bool).reshape(-1)
        if flagged.shape[0] != X.shape[0]:
            raise ValueError(f"flagged has {flagged.shape[0]} entries for {X.shape[0]} points")

    dot_row, dot_col, inside = data_to_dots(X, extent, width, height)
    if dot_row.shape[0] != inside.shape[0]:
        cls = cls[inside]
        if flagged is not None:
            flagged = flagged[inside]
    cell = (dot_row >> 2) * width + (dot_col >> 1)

    bits = np.zeros(n_cells, dtype=np.uint8)
    np.bitwise_or.at(bits, cell, DOT_BITS[dot_row & 3, dot_col & 1])

    cls = cls.astype(np.intp, copy=False)
    voting = cls >= 0
    if voting.all():
        vote_cell, vote_cls = cell, cls
    else:
        vote_cell, vote_cls = cell[voting], cls[voting]
    if vote_cls.size:
        n_cls = int(vote_cls.max()) + 1
        counts = np.bincount(vote_cell * n_cls + vote_cls, minlength=n_cells * n_cls).reshape(n_cells, n_cls)
        # argmax returns the first maximum, which is the required tie-break to the lowest class.
        winner = counts.argmax(axis=1)
        # A per-cell vote total via bincount: reducing counts along its short
        # axis (max/any over 2 columns) is ~10x slower in numpy.
        has_vote = np.bincount(vote_cell, minlength=n_cells) > 0
        cell_cls = np.where(has_vote, winner, -1).astype(np.int16)
    else:
        cell_cls = np.full(n_cells, -1, dtype=np.int16)

    cell_flag = np.zeros(n_cells, dtype=bool)
    if flagged is not None:
        cell_flag[cell[flagged]] = True

    return bits.reshape(height, width), cell_cls.reshape(height, width), cell_flag.reshape(height, width)


def quantise_confidence(conf: np.ndarray, levels: int) -> np.ndarray:
    """Map confidence in [0, 1] to int8 levels ``0..levels-1`` (equal-width bins).

    Values are clipped, so 1.0 lands in the top level rather than one past it;
    NaN (e.g. an untrained or diverged model) maps to level 0, "unsure".
    """
    if not 1 <= levels <= 127:
        raise ValueError(f"levels must be in 1..127 (int8 output), got {levels}")
    conf = np.asarray(conf, dtype=np.float64)
    scaled = np.floor(np.nan_to_num(conf, nan=0.0, posinf=1.0, neginf=0.0) * levels)
    return np.clip(scaled, 0, levels - 1).astype(np.int8)

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
# Bit number of each dot, in (sub_row << 1 | sub_col) order.
_DOT_SHIFT = np.log2(DOT_BITS).astype(np.intp).ravel()


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


# Up to this many classes, the cell vote is counted column by column.
_FEW_CLASSES = 8


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

    # Every dot is one bit, so OR-ing a cell's dots is marking which of its 8
    # bits occur and packing them: cheaper than np.bitwise_or.at.
    dot = dot_row & 3
    dot <<= 1
    dot |= dot_col & 1
    present = np.zeros(n_cells * 8, dtype=bool)
    present[cell * 8 + _DOT_SHIFT.take(dot)] = True
    # Each cell's 8 flags are contiguous, so one flat pack gives a byte per cell.
    bits = np.packbits(present, bitorder="little")

    cls = cls.astype(np.intp, copy=False)
    voting = cls >= 0
    if voting.all():
        vote_cell, vote_cls = cell, cls
    else:
        vote_cell, vote_cls = cell[voting], cls[voting]
    if vote_cls.size:
        n_cls = int(vote_cls.max()) + 1
        counts = np.bincount(vote_cell * n_cls + vote_cls, minlength=n_cells * n_cls).reshape(n_cells, n_cls)
        if n_cls <= _FEW_CLASSES:
            # Column by column: reducing along the short axis is ~10x slower in numpy.
            # Strictly greater keeps ties with the lowest class, as argmax would.
            top = counts[:, 0].copy()
            winner = np.zeros(n_cells, dtype=np.int16)
            for c in range(1, n_cls):
                col = counts[:, c]
                winner[col > top] = c
                np.maximum(top, col, out=top)
            winner[top == 0] = -1  # no vote in the cell
            cell_cls = winner
        else:
            # argmax returns the first maximum, which is the required tie-break to the lowest class.
            winner = counts.argmax(axis=1)
            has_vote = np.bincount(vote_cell, minlength=n_cells) > 0
            cell_cls = np.where(has_vote, winner, -1).astype(np.int16)
    else:
        cell_cls = np.full(n_cells, -1, dtype=np.int16)

    cell_flag = np.zeros(n_cells, dtype=bool)
    if flagged is not None:
        cell_flag[cell[flagged]] = True

    return bits.reshape(height, width), cell_cls.reshape(height, width), cell_flag.reshape(height, width)


def majority_cells(X: np.ndarray, mask: np.ndarray, extent: float, width: int, height: int) -> np.ndarray:
    """Per cell: do the points with ``mask`` set outnumber the others there?

    Shape ``(height, width)`` bool, False for cells without points; points
    outside ``[-extent, extent]^2`` (or non-finite) are dropped as in
    :func:`rasterise_points`.  Used to draw cells of held-out test points apart.
    """
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    mask = np.asarray(mask, dtype=bool).reshape(-1)
    if mask.shape[0] != X.shape[0]:
        raise ValueError(f"mask has {mask.shape[0]} entries for {X.shape[0]} points")
    dot_row, dot_col, inside = data_to_dots(X, extent, width, height)
    cell = (dot_row >> 2) * width + (dot_col >> 1)
    # +1 per masked point, -1 per other point: a positive total is a majority.
    weights = np.where(mask[inside], 1.0, -1.0)
    total = np.bincount(cell, weights, minlength=width * height)
    return (total > 0).reshape(height, width)


def quantise_confidence(conf: np.ndarray, levels: int) -> np.ndarray:
    """Map confidence in [0, 1] to int8 levels ``0..levels-1`` (equal-width bins).

    Values are clipped, so 1.0 lands in the top level rather than one past it;
    NaN (e.g. an untrained or diverged model) maps to level 0, "unsure".
    """
    if not 1 <= levels <= 127:
        raise ValueError(f"levels must be in 1..127 (int8 output), got {levels}")
    scaled = np.array(conf, dtype=np.float64)
    scaled *= levels
    np.floor(scaled, out=scaled)
    # fmax turns NaN into 0; +-inf land in the end levels through the clip, as
    # 1.0 and 0.0 would.
    np.fmax(scaled, 0, out=scaled)
    np.minimum(scaled, levels - 1, out=scaled)
    out = scaled.astype(np.int8)
    return out if out.ndim else out[()]

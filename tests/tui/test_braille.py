from __future__ import annotations

import numpy as np
import pytest

from nnplay.tui.raster.braille import (
    DOT_BITS,
    cell_centres,
    data_to_dots,
    majority_cells,
    quantise_confidence,
    rasterise_points,
)

E = 2.0  # extent used by most tests


def dot_centre(dot_row: int, dot_col: int, extent: float, width: int, height: int) -> tuple[float, float]:
    """Data coordinates of the centre of one braille dot (row 0 = top)."""
    x = -extent + (dot_col + 0.5) * (2 * extent) / (2 * width)
    y = extent - (dot_row + 0.5) * (2 * extent) / (4 * height)
    return x, y


def reference_rasterise(X, cls, extent, width, height, flagged):
    """Slow per-point loop used as an oracle for the vectorised version."""
    bits = np.zeros((height, width), np.uint8)
    votes: dict[tuple[int, int], dict[int, int]] = {}
    flag = np.zeros((height, width), bool)
    for (x, y), c, f in zip(X, cls, flagged, strict=True):
        if not (-extent <= x <= extent and -extent <= y <= extent):
            continue
        dc = min(int(np.floor((x + extent) / (2 * extent) * 2 * width)), 2 * width - 1)
        dr = min(int(np.floor((extent - y) / (2 * extent) * 4 * height)), 4 * height - 1)
        r, col = dr // 4, dc // 2
        bits[r, col] |= DOT_BITS[dr % 4, dc % 2]
        if c >= 0:
            cell_votes = votes.setdefault((r, col), {})
            cell_votes[int(c)] = cell_votes.get(int(c), 0) + 1
        flag[r, col] |= bool(f)
    cell_cls = np.full((height, width), -1, np.int16)
    for (r, col), cell_votes in votes.items():
        best = max(cell_votes.values())
        cell_cls[r, col] = min(k for k, v in cell_votes.items() if v == best)
    return bits, cell_cls, flag


# --- cell_centres ---------------------------------------------------------


def test_cell_centres_row_major_top_row_first():
    c = cell_centres(E, width=4, height=2)
    assert c.shape == (8, 2)
    assert c.dtype == np.float64
    # Cells are 1.0 wide (4 over [-2, 2]) and 2.0 tall (2 over [-2, 2]).
    np.testing.assert_allclose(c[0], [-1.5, 1.0])
    np.testing.assert_allclose(c[1], [-0.5, 1.0])  # next column to the right
    np.testing.assert_allclose(c[3], [1.5, 1.0])
    np.testing.assert_allclose(c[4], [-1.5, -1.0])  # row 1 is below row 0
    np.testing.assert_allclose(c[7], [1.5, -1.0])


def test_cell_centres_reshape_matches_grid():
    w, h = 5, 3
    grid = cell_centres(E, w, h).reshape(h, w, 2)
    assert np.all(np.diff(grid[:, :, 0], axis=1) > 0)  # x grows to the right
    assert np.all(np.diff(grid[:, :, 1], axis=0) < 0)  # y falls going down
    assert np.all(np.abs(grid) < E)


def test_cell_centres_land_in_their_own_cell():
    w, h = 7, 5
    centres = cell_centres(E, w, h)
    _, cell_cls, _ = rasterise_points(centres, np.arange(w * h), E, w, h)
    np.testing.assert_array_equal(cell_cls.ravel(), np.arange(w * h))


@pytest.mark.parametrize("args", [(0.0, 3, 3), (-1.0, 3, 3), (float("nan"), 3, 3), (1.0, 0, 3), (1.0, 3, 0)])
def test_cell_centres_rejects_bad_grid(args):
    with pytest.raises(ValueError):
        cell_centres(*args)


# --- rasterise_points: bit positions --------------------------------------


@pytest.mark.parametrize("sub_row", range(4))
@pytest.mark.parametrize("sub_col", range(2))
def test_each_dot_position_sets_its_bit(sub_row, sub_col):
    w, h = 3, 2
    expected_bit = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]][sub_row][sub_col]
    # Target cell (row 1, col 2): the bottom-right cell of the grid.
    x, y = dot_centre(4 * 1 + sub_row, 2 * 2 + sub_col, E, w, h)
    bits, cell_cls, cell_flag = rasterise_points(np.array([[x, y]]), np.array([0]), E, w, h)
    expected = np.zeros((h, w), np.uint8)
    expected[1, 2] = expected_bit
    np.testing.assert_array_equal(bits, expected)
    assert cell_cls[1, 2] == 0
    assert (cell_cls == -1).sum() == w * h - 1
    assert not cell_flag.any()


@pytest.mark.parametrize(
    ("point", "cell", "bit"),
    [
        ((-E, E), (0, 0), 0x01),  # top-left corner
        ((E, E), (0, -1), 0x08),  # top-right
        ((-E, -E), (-1, 0), 0x40),  # bottom-left
        ((E, -E), (-1, -1), 0x80),  # bottom-right folds into the last dot
        ((0.0, 0.0), (2, 2), 0x01),  # centre of a 4x4 grid is the top-left dot of cell (2, 2)
    ],
)
def test_corners_and_edges(point, cell, bit):
    w, h = 4, 4
    bits, _, _ = rasterise_points(np.array([point]), np.array([1]), E, w, h)
    expected = np.zeros((h, w), np.uint8)
    expected[cell] = bit
    np.testing.assert_array_equal(bits, expected)


def test_all_eight_dots_in_one_cell_make_full_block():
    w, h = 2, 2
    pts = [dot_centre(r, c, E, w, h) for r in range(4) for c in range(2)]
    bits, _, _ = rasterise_points(np.array(pts), np.zeros(8, int), E, w, h)
    assert bits[0, 0] == 0xFF
    assert chr(0x2800 + int(bits[0, 0])) == "\u28ff"
    assert bits.sum() == 0xFF


def test_duplicate_points_set_bit_once():
    w, h = 2, 2
    p = dot_centre(1, 1, E, w, h)
    bits, _, _ = rasterise_points(np.array([p, p, p]), np.zeros(3, int), E, w, h)
    assert bits[0, 0] == 0x10


def test_y_axis_points_up():
    # A point just below the top edge must be in the top row, not the bottom.
    bits, _, _ = rasterise_points(np.array([[0.1, E - 1e-9]]), np.array([0]), E, 4, 4)
    assert bits[0].any() and not bits[1:].any()


def test_points_outside_are_dropped():
    w, h = 3, 3
    X = np.array(
        [
            [E + 1e-9, 0.0],
            [-E - 1e-9, 0.0],
            [0.0, E + 1e-9],
            [0.0, -E - 1],
            [np.nan, 0.0],
            [0.0, np.inf],
            [-np.inf, -np.inf],
        ]
    )
    bits, cell_cls, cell_flag = rasterise_points(X, np.zeros(len(X), int), E, w, h, np.ones(len(X), bool))
    assert not bits.any()
    assert (cell_cls == -1).all()
    assert not cell_flag.any()


def test_outside_points_do_not_shift_others():
    # Masking must keep cls/flagged aligned with the remaining points.
    X = np.array([[9.0, 9.0], [-E, E], [9.0, 9.0], [E, -E]])
    cls = np.array([5, 1, 5, 2])
    flagged = np.array([True, False, True, True])
    bits, cell_cls, cell_flag = rasterise_points(X, cls, E, 2, 2, flagged)
    assert bits[0, 0] == 0x01 and bits[1, 1] == 0x80
    assert cell_cls[0, 0] == 1 and cell_cls[1, 1] == 2
    np.testing.assert_array_equal(cell_flag, [[False, False], [False, True]])


def test_zero_points():
    bits, cell_cls, cell_flag = rasterise_points(np.empty((0, 2)), np.empty(0, int), E, 5, 3, np.empty(0, bool))
    assert bits.shape == cell_cls.shape == cell_flag.shape == (3, 5)
    assert bits.dtype == np.uint8 and cell_cls.dtype == np.int16 and cell_flag.dtype == np.bool_
    assert not bits.any() and (cell_cls == -1).all() and not cell_flag.any()


def test_output_dtypes_and_shapes():
    rng = np.random.default_rng(3)
    bits, cell_cls, cell_flag = rasterise_points(rng.uniform(-E, E, (50, 2)), rng.integers(0, 3, 50), E, 6, 4)
    assert bits.shape == (4, 6) and bits.dtype == np.uint8
    assert cell_cls.shape == (4, 6) and cell_cls.dtype == np.int16
    assert cell_flag.shape == (4, 6) and cell_flag.dtype == np.bool_
    assert not cell_flag.any()  # flagged=None means nothing flagged


def test_length_mismatch_raises():
    with pytest.raises(ValueError, match="cls"):
        rasterise_points(np.zeros((3, 2)), np.zeros(2, int), E, 2, 2)
    with pytest.raises(ValueError, match="flagged"):
        rasterise_points(np.zeros((3, 2)), np.zeros(3, int), E, 2, 2, np.zeros(4, bool))


# --- rasterise_points: class vote and flags -------------------------------


def _same_cell_points(n: int) -> np.ndarray:
    # Distinct dots of cell (0, 0) on a 2x2 grid.
    return np.array([dot_centre(i % 4, (i // 4) % 2, E, 2, 2) for i in range(n)])


def test_majority_class_wins():
    _, cell_cls, _ = rasterise_points(_same_cell_points(3), np.array([2, 1, 1]), E, 2, 2)
    assert cell_cls[0, 0] == 1


def test_tie_goes_to_lowest_class():
    _, cell_cls, _ = rasterise_points(_same_cell_points(4), np.array([3, 2, 3, 2]), E, 2, 2)
    assert cell_cls[0, 0] == 2


def test_unclassed_points_draw_but_do_not_vote():
    bits, cell_cls, _ = rasterise_points(_same_cell_points(3), np.array([-1, -1, 4]), E, 2, 2)
    assert cell_cls[0, 0] == 4  # two -1 points do not outvote one classed point
    assert bits[0, 0] == 0x01 | 0x02 | 0x04

    bits, cell_cls, _ = rasterise_points(_same_cell_points(2), np.array([-1, -1]), E, 2, 2)
    assert cell_cls[0, 0] == -1
    assert bits[0, 0] == 0x01 | 0x02


def test_flag_marks_only_cells_with_flagged_points():
    X = np.array([[-E, E], [-E + 0.01, E], [E, -E]])
    flagged = np.array([False, True, False])
    _, _, cell_flag = rasterise_points(X, np.zeros(3, int), E, 2, 2, flagged)
    np.testing.assert_array_equal(cell_flag, [[True, False], [False, False]])


@pytest.mark.parametrize("seed", range(5))
def test_matches_reference_loop(seed):
    rng = np.random.default_rng(seed)
    n, w, h = 400, 9, 5
    X = rng.uniform(-1.2 * E, 1.2 * E, (n, 2))
    X[::37] = [E, -E]  # exact edges too
    cls = rng.integers(-1, 4, n)
    flagged = rng.random(n) < 0.1
    got = rasterise_points(X, cls, E, w, h, flagged)
    want = reference_rasterise(X, cls, E, w, h, flagged)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, r)


def test_data_to_dots_returns_inside_points_only():
    X = np.array([[-E, E], [5.0, 0.0], [E, -E]])
    rows, cols, inside = data_to_dots(X, E, 3, 2)
    np.testing.assert_array_equal(inside, [True, False, True])
    np.testing.assert_array_equal(rows, [0, 7])
    np.testing.assert_array_equal(cols, [0, 5])


# --- quantise_confidence --------------------------------------------------


def test_quantise_confidence_bin_edges():
    conf = np.array([0.0, 0.2499, 0.25, 0.4999, 0.5, 0.74, 0.75, 0.999, 1.0])
    got = quantise_confidence(conf, 4)
    np.testing.assert_array_equal(got, [0, 0, 1, 1, 2, 2, 3, 3, 3])
    assert got.dtype == np.int8


def test_quantise_confidence_clips_and_handles_nan():
    got = quantise_confidence(np.array([-0.5, 1.5, np.nan, np.inf, -np.inf]), 4)
    np.testing.assert_array_equal(got, [0, 3, 0, 3, 0])


def test_quantise_confidence_keeps_shape_and_single_level():
    conf = np.linspace(0, 1, 12).reshape(3, 4)
    assert quantise_confidence(conf, 5).shape == (3, 4)
    assert (quantise_confidence(conf, 1) == 0).all()


@pytest.mark.parametrize("levels", [0, -1, 128])
def test_quantise_confidence_rejects_bad_levels(levels):
    with pytest.raises(ValueError):
        quantise_confidence(np.array([0.5]), levels)


# --- majority_cells ---------------------------------------------------------


def test_majority_cells_counts_masked_points_against_the_others():
    # Cell (0, 0): 2 masked vs 1; cell (0, 1): 1 vs 2; cell (1, 0): 1 vs 1; cell (1, 1): 1 masked only.
    X = np.array(
        [[-1, 1]] * 3 + [[1, 1]] * 3 + [[-1, -1]] * 2 + [[1, -1]] + [[9, 9]],
        dtype=float,
    )
    mask = np.array([1, 1, 0, 1, 0, 0, 1, 0, 1, 1], bool)  # the last point is outside and dropped
    got = majority_cells(X, mask, E, 2, 2)
    np.testing.assert_array_equal(got, [[True, False], [False, True]])


def test_majority_cells_empty_and_mismatch():
    assert not majority_cells(np.empty((0, 2)), np.empty(0, bool), E, 3, 2).any()
    with pytest.raises(ValueError):
        majority_cells(np.zeros((3, 2)), np.zeros(2, bool), E, 2, 2)

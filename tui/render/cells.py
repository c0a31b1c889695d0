"""Turn a grid of characters and style ids into Rich segments, one run per style.

Neighbouring cells with the same style become one ``Segment``: fewer escape codes per
line, which is most of what keeps the app light over a slow SSH link.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.segment import Segment
from rich.style import Style


def cells_to_segments(chars: np.ndarray, style_ids: np.ndarray, styles: Sequence[Style]) -> list[list[Segment]]:
    """``chars`` (h, w) of single-cell strings, ``style_ids`` (h, w) ints indexing ``styles``."""
    lines: list[list[Segment]] = []
    h, w = style_ids.shape
    if w == 0:
        return [[] for _ in range(h)]
    for row_chars, row_ids in zip(chars, style_ids, strict=True):
        text = "".join(row_chars.tolist())
        cuts = np.flatnonzero(row_ids[1:] != row_ids[:-1]) + 1
        starts = [0, *cuts.tolist()]
        ends = [*cuts.tolist(), w]
        ids = row_ids[starts].tolist()
        lines.append([Segment(text[a:b], styles[s]) for a, b, s in zip(starts, ends, ids, strict=True)])
    return lines

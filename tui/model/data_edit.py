"""The data-edit mode's rules: which label a digit key adds, and what the mode says on screen."""

from __future__ import annotations

from nnplay.core.data.datasets import Dataset
from nnplay.tui.model.view_state import Refusal


def point_label(data: Dataset, key: int) -> float | Refusal:
    """The label digit ``key`` adds: class ``key`` (1-based; the trainer refuses a class the
    data lacks, with the classes it has), or for regression 1 -> -1 and 2 -> +1, and no other."""
    if not data.is_regression:
        return float(key - 1)
    label = {1: -1.0, 2: 1.0}.get(key)
    return Refusal("regression data: 1 adds a point with target -1, 2 one with +1") if label is None else label


def edit_keys(data: Dataset) -> str:
    """The digit keys that add a point, as the banner and the notice say them."""
    return "1 2" if data.is_regression else f"1..{data.n_classes}"


def edit_notice(data: Dataset) -> str:
    """What starting the mode says, in one line at 80x24 (the crosshair and its legend entry show
    where the cursor is)."""
    keys = "1 adds -1, 2 adds +1" if data.is_regression else f"1..{data.n_classes} add"
    return f"editing data: {keys}, backspace removes, a ends"


def edit_banner(data: Dataset, width: int) -> str:
    """The plot's bottom border while editing, as long as ``width`` cells allow: the mode is on
    screen all the time."""
    keys = edit_keys(data)
    banners = (f"EDITING DATA: {keys} add, backspace removes, ctrl+z undo, a ends", f"EDITING: {keys} add, a ends")
    for text in (*banners, "EDITING"):
        if len(text) <= width - 4:
            return text
    return ""

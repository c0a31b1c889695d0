"""Measured numbers written short, for panes 25 to 50 cells wide.

Three significant digits, and an exponent without its plus sign and leading zeros: "4.25e5"
rather than "4.25e+05", so a diverging loss or a weight scale of 220 still fits its line.
"""

from __future__ import annotations

import math


def short_number(value: float | None, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, "-" when there is none (None, NaN, inf).

    Written out up to one digit more than asked ("220", "1230"), with an exponent beyond."""
    if value is None or not math.isfinite(value):
        return "-"
    rounded = float(f"{value:.{digits}g}")
    if 1 <= abs(rounded) < 10 ** (digits + 1):
        return f"{rounded:.{digits + 1}g}"
    mantissa, e, exponent = f"{rounded:.{digits}g}".partition("e")
    return mantissa + (f"e{int(exponent)}" if e else "")


def score_text(r2: float | None) -> str:
    """R²: three decimals where it lives (1 is perfect, 0 the mean's guess), short when a bad fit
    takes it to -3.6 million."""
    if r2 is not None and math.isfinite(r2) and abs(r2) < 1000:
        return f"{r2:.3f}"
    return short_number(r2)

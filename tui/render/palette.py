"""Colours shared by the plot and the diagram: TensorFlow Playground's orange/blue.

Sign is hue (blue positive, orange negative); magnitude is how far a colour is blended
from the dark background. In 16-colour terminals the levels fall back to dim/normal/bold
so signs stay apart by more than hue.
"""

from __future__ import annotations

from rich.color import Color
from rich.style import Style

POSITIVE = (0x08, 0x77, 0xBD)
NEGATIVE = (0xF5, 0x93, 0x22)
BASE = (0x1C, 0x1C, 0x1C)
WHITE = (0xFF, 0xFF, 0xFF)
TRUECOLOR = 1 << 24  # ``colors`` for a terminal that takes RGB; 256 means the xterm palette
# ``colors`` under NO_COLOR: Textual turns every colour into its grey (or drops it), so the
# palette is greys chosen as steps apart, with the 16-colour palette's textures and attributes.
MONOCHROME = 2


def colour_count(color_system: str | None, no_color: bool) -> int:
    """The colours the app draws with on a terminal of Rich's ``color_system``. Each depth has its
    own plot palette (classes apart in every one)."""
    if no_color:
        return MONOCHROME
    if color_system in ("standard", "windows"):
        return 16
    return TRUECOLOR if color_system == "truecolor" else 256


def grey(level: int) -> Color:
    return Color.from_rgb(level, level, level)


def blend_rgb(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    """Linear blend from ``a`` (t=0) to ``b`` (t=1), rounded to ints."""
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return (r, g, bl)


def rgb(c: tuple[int, int, int]) -> Color:
    return Color.from_rgb(*c)


# 256-colour terminals: xterm ramps of the two hues, dark to bright. Downsampled, the RGB
# blends of orange landed on olive (58, 100) and brown, so the diagram's oranges did not match
# the plot's; these stay orange (130..214) and blue (24..39).
_XTERM_RAMPS = {NEGATIVE: (130, 166, 172, 208, 214), POSITIVE: (24, 25, 31, 32, 39)}
_XTERM_FAINT = {NEGATIVE: (94, 94, 130, 130, 130), POSITIVE: (17, 17, 24, 24, 24)}


def signed_styles(levels: int, colors: int, faint: bool = False) -> tuple[tuple[Style, ...], tuple[Style, ...]]:
    """(negative, positive) foreground styles for intensity levels 0..levels-1.

    ``faint``: the same hues pushed back, for the lines around a selection.
    """
    out = []
    for hue, ansi in ((NEGATIVE, "yellow"), (POSITIVE, "blue")):
        if colors <= 16:
            styles = tuple(
                Style(color=ansi, dim=faint or level < levels // 2, bold=not faint and level == levels - 1)
                for level in range(levels)
            )
        elif colors < TRUECOLOR:
            ramp = (_XTERM_FAINT if faint else _XTERM_RAMPS)[hue]
            styles = tuple(
                Style(color=Color.from_ansi(ramp[round(level * (len(ramp) - 1) / max(levels - 1, 1))]))
                for level in range(levels)
            )
        else:
            reach = 0.45 if faint else 1.0
            styles = tuple(
                Style(color=rgb(blend_rgb(BASE, hue, (0.3 + 0.7 * level / max(levels - 1, 1)) * reach)))
                for level in range(levels)
            )
        out.append(styles)
    return out[0], out[1]


def signed_rgb(value: float) -> tuple[int, int, int]:
    """Colour of a value in [-1, 1]: orange below zero, blue above, dark at zero."""
    value = max(-1.0, min(1.0, value))
    return blend_rgb(BASE, POSITIVE if value > 0 else NEGATIVE, abs(value))

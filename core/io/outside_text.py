"""Text that came from outside nnplay (a file's class names, a path, a CSV field), made safe to show.

A terminal obeys the control characters in what it is sent: ESC starts a sequence that can
set the window's title, leave the alternate screen or move the cursor, BEL rings, CR and LF
break a line, a bidi override turns the rest of a line around. So every string that did not
come from nnplay's own code goes through ``printable`` where it is drawn or printed.

Replacements are visible and one cell wide, so the width of what is drawn is the width that
was measured: a C0 control or DEL becomes its Unicode control picture (ESC is shown as "␛",
BEL as "␇", LF as "␊"), which says which character it was; any other character that is not
printable (C1 controls, format characters such as bidi overrides and zero-width joiners,
line and paragraph separators, surrogates left by a file name that is not UTF-8, private
and unassigned code points) becomes U+FFFD "�". A space other than " " (no-break, em...)
becomes " ". Everything ``str.isprintable`` accepts is kept as it is.
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\ufffd"
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}


def printable(text: str) -> str:
    """``text`` with every character that is not printable replaced visibly (see the module)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _shown(ch) for ch in text)


def first_unprintable(text: str) -> str | None:
    """The first character of ``text`` that ``printable`` would replace, as ``U+XXXX`` (None: all print)."""
    if text.isprintable():
        return None
    ch = next(ch for ch in text if not ch.isprintable())
    return f"U+{ord(ch):04X}"


def _shown(ch: str) -> str:
    code = ord(ch)
    if code in _PICTURES:
        return _PICTURES[code]
    if unicodedata.category(ch) == "Zs":
        return " "
    return REPLACEMENT

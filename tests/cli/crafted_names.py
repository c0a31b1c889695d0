"""File names a POSIX file system allows and careless code mishandles: a new case is one line.

Each is a stem (no suffix, no ``/``, no NUL, at most 240 bytes so that ``STEM_predict.py`` fits in
255); as ``str`` the way Python hands them over from argv or ``os.listdir`` (bytes that are not
UTF-8 arrive as surrogate escapes, and ``os.fsencode`` gives the same bytes back).
"""

from __future__ import annotations

import os

STEMS: dict[str, str] = {
    "backslash-N": "m\\N",
    "backslash-x": "m\\x",
    "backslash-u": "m\\u12",
    "backslash-at-end": "m\\",
    "triple-double-quote": 'm"""',
    "triple-single-quote": "m'''",
    "both-quotes": "it's \"\"\" '''",
    "newline": "a\nb",
    "carriage-return": "a\rb",
    "tab": "a\tb",
    "terminal-escape": "\x1b]0;PWNED\x07\x1b[?1049l",
    "not-utf8": os.fsdecode(b"s\xff\xfe"),
    "utf8-cut": os.fsdecode("é".encode()[:1] + b"x"),
    "braces": "{x}{{y}}",
    "percent": "%s%d%%",
    "dash": "-x",
    "shell": "$(touch pwned);`id`",
    "unicode": "模型 ü \u202e",
    "space": " ",
    "long": "n" * 240,
}


def crafted(suffix: str) -> dict[str, str]:
    """Every crafted stem with ``suffix`` (".npz", ".py", ".json")."""
    return {label: stem + suffix for label, stem in STEMS.items()}

"""What a browser may send to ``nnplay serve``, checked before any of it reaches the app.

The page textual-serve serves sends five messages, each a JSON list: ``["stdin", text]`` (keys,
mouse reports and pastes, as xterm.js encodes them), ``["resize", {"width": W, "height": H}]``
(whole cells), ``["ping", text]``, ``["focus"]`` and ``["blur"]``; and it opens the websocket
with ``?width=W&height=H``. Anything else comes from a crafted client, not from the page.

The rules (each in one place here; tui/serve/server.py and tui/serve/relay.py apply them):

- A terminal size is whole cells. A size outside ``COLUMNS`` x ``ROWS`` is clamped into it: a
  browser zoomed far out on a large screen may ask for more than 500 columns, and then the app
  draws in the top-left 500 x 200 cells instead of taking gigabytes (memory grows with the cell
  count: 100000 x 100000 took the app past 1.5 GB; at 500 x 200 it peaks near 175 MB, as at
  120 x 40). The lower ends are xterm.js's own smallest
  terminal (2 x 1), so a real page is never told a size larger than the terminal it draws into.
  A size that is not a whole number (a float, 1e308, NaN, text, true) is refused.
- A ``stdin`` frame holds at most ``STDIN_FRAME_MAX`` bytes; a larger one is dropped whole.
- Input is metered in keys: a character, or one escape sequence (an arrow key, a mouse report),
  is one key, as Textual turns it into one event. A connection may send ``KEY_BURST`` keys at once
  (a paste of a long path fits) and ``KEYS_PER_SECOND`` after that (a typist sends about 15 a
  second, key repeat about 30, a moving mouse about 60): input beyond that is dropped whole,
  frame by frame. The app reads its input eagerly and queues every event, so this bounds what
  waits inside it: a queued key costs the app about 8 KB, and it works through a key as costly
  as ``n`` (a training step, drawn) about 85 times a second on a 2-core machine running 17
  jobs; 256 KB of keys had taken it to 811 MB and kept it busy a minute after its client left.
  Now the same 256 KB peaks near 175 MB, as does a minute of ``n`` at the full rate.
- Resizes are passed on at most every ``RESIZE_INTERVAL`` seconds, the latest one last: each
  one lays the whole app out again.
- Anything else (not JSON, not one of the five messages, a field of the wrong type) is a
  violation: the connection ends with one log line.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

COLUMNS = (2, 500)
ROWS = (1, 200)
DEFAULT_SIZE = (80, 24)  # textual-serve's, when the page gives none
STDIN_FRAME_MAX = 8 * 1024  # bytes, UTF-8
KEYS_PER_SECOND = 100.0
KEY_BURST = 1000.0
RESIZE_INTERVAL = 0.2  # seconds
PING_MAX = 256  # characters: the page sends a timestamp

# One key for Textual's parser: an escape sequence (CSI with its parameters, SS3 and one
# character, or ESC and one character) or a single character.
ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|O.|.)?", re.DOTALL)
DIGITS = re.compile(r"[0-9]+")


class Violation(ValueError):
    """A message the page never sends; its text says what was wrong, in a few words."""


@dataclass(frozen=True)
class Stdin:
    data: bytes  # UTF-8; a lone surrogate (JSON allows one) becomes "?", as the app's decoder would stop at it
    keys: int


@dataclass(frozen=True)
class Resize:
    width: int
    height: int


@dataclass(frozen=True)
class Ping:
    data: str


@dataclass(frozen=True)
class Focus:
    focused: bool


Message = Stdin | Resize | Ping | Focus


def clamp_size(width: int, height: int) -> tuple[int, int]:
    """A whole-cell size brought into ``COLUMNS`` x ``ROWS``."""
    return min(max(width, COLUMNS[0]), COLUMNS[1]), min(max(height, ROWS[0]), ROWS[1])


def _cells(value: object, name: str) -> int:
    # bool is an int in Python but not in JSON; a float is refused even when whole (the page sends ints).
    if isinstance(value, bool) or not isinstance(value, int):
        shown = "a non-finite number" if isinstance(value, float) and not math.isfinite(value) else type(value).__name__
        raise Violation(f"resize {name} is {shown}, not a whole number of cells")
    return value


def query_size(query: Mapping[str, str]) -> tuple[int, int]:
    """The ``?width=&height=`` of the websocket URL, clamped; absent means textual-serve's 80 x 24."""
    sizes = []
    for name, default in zip(("width", "height"), DEFAULT_SIZE, strict=True):
        text = query.get(name)
        if text is None:
            sizes.append(default)
        elif DIGITS.fullmatch(text):
            sizes.append(int(text) if len(text) <= 6 else 10**6)  # any longer is far past the clamp
        else:
            raise Violation(f"{name} {text[:20]!r} is not a whole number of cells")
    return clamp_size(*sizes)


def count_keys(text: str) -> int:
    """How many input events Textual makes of ``text``: an escape sequence is one."""
    return len(ESCAPE_SEQUENCE.sub("\x1b", text))


def parse(text: str) -> Message:
    """One websocket text frame from the page, checked; raises Violation for anything the page never sends."""
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        raise Violation("not JSON") from None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        raise Violation("not a [type, ...] list")
    kind, args = envelope[0], envelope[1:]
    if kind in ("focus", "blur") and not args:
        return Focus(kind == "focus")
    if kind == "stdin" and len(args) == 1 and isinstance(args[0], str):
        # An empty frame costs a key too: the budget bounds frames as well as keys.
        return Stdin(args[0].encode("utf-8", "replace"), max(1, count_keys(args[0])))
    if kind == "ping" and len(args) == 1 and isinstance(args[0], str) and len(args[0]) <= PING_MAX:
        return Ping(args[0])
    if kind == "resize" and len(args) == 1 and isinstance(args[0], dict) and set(args[0]) >= {"width", "height"}:
        size = args[0]
        return Resize(*clamp_size(_cells(size["width"], "width"), _cells(size["height"], "height")))
    raise Violation(f"not a message of the page ({kind[:20]!r} with {len(args)} argument(s) of the wrong kind)")


class KeyBudget:
    """A token bucket of keys: ``burst`` at once, refilled at ``rate`` a second."""

    def __init__(self, rate: float = KEYS_PER_SECOND, burst: float = KEY_BURST) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.last: float | None = None

    def take(self, keys: int, now: float) -> bool:
        """Whether ``keys`` keys may go now (and are then spent); refused ones spend nothing."""
        if self.last is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if keys > self.tokens:
            return False
        self.tokens -= keys
        return True

"""Crafted browser messages for ``nnplay serve``: what a page other than nnplay's, or a script, may send
over the websocket. A new case is a line.
"""

from __future__ import annotations

from nnplay.tui.serve.messages import COLUMNS, ROWS, Focus, Ping, Resize, Stdin

# Frames the page never sends: each ends the connection (1008) with one log line, none reaches the app.
REFUSED = (
    "{",  # not JSON
    "",
    '{"a":1}',  # JSON, not a list
    '"stdin"',
    "null",
    "[]",
    "[1, 2]",
    '["stdin",12345]',  # stdin that is not text
    '["stdin"]',
    '["stdin", "a", "b"]',
    '["stdin", null]',
    '["resize", 3]',
    '["resize", {"width": 80}]',
    '["resize", {"width": 1e308, "height": 1e308}]',  # crashed the app (OverflowError)
    '["resize", {"width": 1e999, "height": 24}]',  # inf
    '["resize", {"width": -1e999, "height": 24}]',
    '["resize", {"width": NaN, "height": 24}]',
    '["resize", {"width": Infinity, "height": 24}]',
    '["resize", {"width": 80.5, "height": 24}]',
    '["resize", {"width": 80.0, "height": 24}]',  # the page sends whole cells as integers
    '["resize", {"width": "80", "height": 24}]',
    '["resize", {"width": true, "height": 24}]',
    '["resize", {"width": [80], "height": 24}]',
    '["ping", 12345]',
    '["ping", "' + "x" * 300 + '"]',  # a ping is echoed: it stays small
    '["focus", 1]',
    '["quit"]',  # textual-serve's meta for the app, not a page message
    '["open_url", {"url": "file:///etc/passwd"}]',
    "[" * 100_000 + "]" * 100_000,  # deep nesting: RecursionError in the JSON parser
    '["resize", {"width": ' + "9" * 5000 + ', "height": 24}]',  # past Python's int-parsing digit limit
)

# Frames the page sends, and what the server makes of them.
ACCEPTED = (
    ('["stdin", "n"]', Stdin(b"n", 1)),
    ('["stdin", ""]', Stdin(b"", 1)),  # an empty frame costs a key: frames are bounded too
    ('["stdin", "\\u001b[A"]', Stdin(b"\x1b[A", 1)),  # an arrow key: one key
    ('["stdin", "\\u001b[<35;120;40M"]', Stdin(b"\x1b[<35;120;40M", 1)),  # a mouse report: one key
    ('["stdin", "\\ud800"]', Stdin(b"?", 1)),  # a lone surrogate: the app's UTF-8 decoder would stop at it
    ('["stdin", "é☃"]', Stdin("é☃".encode(), 2)),
    ('["resize", {"width": 120, "height": 40}]', Resize(120, 40)),
    ('["resize", {"width": 100000, "height": 100000}]', Resize(COLUMNS[1], ROWS[1])),  # took the app past 1.5 GB
    ('["resize", {"width": 0, "height": -5}]', Resize(COLUMNS[0], ROWS[0])),
    ('["resize", {"width": ' + "9" * 400 + ', "height": 24}]', Resize(COLUMNS[1], 24)),
    ('["resize", {"width": 80, "height": 24, "extra": 1}]', Resize(80, 24)),
    ('["ping", "1733540000000"]', Ping("1733540000000")),
    ('["focus"]', Focus(True)),
    ('["blur"]', Focus(False)),
)

# The websocket's query: (query, the app's starting size, or None when it is refused with HTTP 400).
QUERIES = (
    ({}, (80, 24)),
    ({"width": "120", "height": "40"}, (120, 40)),
    ({"width": "20000", "height": "20000"}, (COLUMNS[1], ROWS[1])),  # took the app past 1.5 GB
    ({"width": "9" * 5000, "height": "1"}, (COLUMNS[1], 1)),
    ({"width": "0", "height": "0"}, (COLUMNS[0], ROWS[0])),
    ({"width": "1e308"}, None),
    ({"width": "-5"}, None),
    ({"width": "80.0"}, None),
    ({"width": ""}, None),
    ({"width": " 80"}, None),
    ({"width": "1_000"}, None),
    ({"width": "٨٠"}, None),  # Arabic-Indic digits: int() takes them, the page never sends them
)

"""The command palette under a fast typist's bursts, in the real app in tmux (tui/screens/command_palette.py).

``ctrl+p x enter`` (open, search, run: x finds "Explain a step") and ``ctrl+p a b escape``
(open, search, close), 25 rounds each, killed the app before: ScreenStackError in 6 runs of 6,
NoMatches in 5 of 6 (Textual 8.2.8, this machine). After the burst the app must still be there,
with no traceback, and answer a key.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.test_tmux import plot_visible, terminal

__all__ = ["terminal"]  # the fixture, used by name

# Each round's keys, and the seconds between rounds: the pace that crashed the app most often.
# Seconds before `?` is typed again when the help has not come (a typist's retry, not a deadline).
RETYPE_AFTER = 5.0

ROUNDS = [(("C-p", "x", "Enter"), 0.5), (("C-p", "a", "b", "Escape"), 0.3)]


@pytest.mark.parametrize(("keys", "gap"), ROUNDS, ids=["run", "close"])
def test_palette_rounds_in_bursts_leave_the_app_running(terminal, keys, gap) -> None:
    t = terminal(120, 40)
    t.wait_for(plot_visible, "the plot")
    for _ in range(25):
        t.keys(*keys)
        time.sleep(gap)  # the typist's pace (input, not a wait for the app)
    # Close whatever the rounds left open (palettes, explanations), then the help proves the app answers.
    t.wait_for(lambda s: "space Run/Pause" in s or bool(t.keys("Escape")), "every palette and screen closed", 60.0)
    assert not t.exited() and "Traceback" not in t.everything(), t.everything()[-3000:]
    # An escape still in the terminal's input when `?` follows it within the escape delay is read
    # as alt+? (a terminal's rule, not the app's), so `?` is typed again while the help is not shown.
    typed = [0.0]

    def help_shown(screen: str) -> bool:
        if "nnplay help" in screen:
            return True
        if time.monotonic() - typed[0] > RETYPE_AFTER:
            t.keys("?")
            typed[0] = time.monotonic()
        return False

    t.wait_for(help_shown, "the help after the bursts")

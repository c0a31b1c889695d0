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
ROUNDS = [(("C-p", "x", "Enter"), 0.5), (("C-p", "a", "b", "Escape"), 0.3)]


@pytest.mark.parametrize(("keys", "gap"), ROUNDS, ids=["run", "close"])
def test_palette_rounds_in_bursts_leave_the_app_running(terminal, keys, gap) -> None:
    t = terminal(120, 40)
    t.wait_for(plot_visible, "the plot")
    for _ in range(25):
        t.keys(*keys)
        time.sleep(gap)  # the typist's pace (input, not a wait for the app)
    # Close whatever the rounds left open (palettes, explanations), then the help proves the app answers.
    t.wait_for(lambda s: t.keys("Escape") or "space Run/Pause" in s, "every palette and screen closed", 60.0)
    assert not t.exited() and "Traceback" not in t.everything(), t.everything()[-3000:]
    t.keys("?")
    t.wait_for(lambda s: "nnplay help" in s, "the help after the bursts")

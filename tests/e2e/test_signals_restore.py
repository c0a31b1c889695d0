"""Every signal that ends the app restores the terminal first; SIGCONT never leaves it raw.

The real app runs in tmux under a shell that stays (tests/e2e/test_signals.py's ``shell_terminal``):
once the app has ended, the shell prints the exit status and ``stty -a``, and tmux reports whether
the alternate screen, mouse reporting and a hidden cursor were left behind.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.e2e.test_signals import DONE, app_pid, assert_terminal_restored, shell_terminal
from tests.e2e.test_tmux import Terminal, parse_step, plot_visible

__all__ = ["shell_terminal"]  # the fixture, used by name


def start_training(t: Terminal) -> None:
    """Press space until the run is training: a key pressed while the app is still starting can be
    lost (the start-up's own business, tested elsewhere); a second press only while still paused."""
    t.wait_for(plot_visible, "the plot")
    for _ in range(3):
        t.keys("Space")
        try:
            t.wait_for(lambda s: "steps/s" in s and (parse_step(s) or 0) > 0, "training to start", 10.0)
            return
        except AssertionError:
            if "paused" not in t.screen():
                raise
    raise AssertionError(f"three presses of space never started the run:\n{t.screen()}")


def signals_while_training(t: Terminal, *signums: int) -> str:
    """Start training, send ``signums`` one after the other; the screen once the shell goes on."""
    start_training(t)
    pid = app_pid(t)
    for signum in signums:
        os.kill(pid, signum)
    names = " then ".join(signal.Signals(s).name for s in signums)
    return t.wait_for(lambda s: DONE in s, f"the app to end on {names} and the shell to go on")


def recovery_line(t, name: str) -> str:
    joined = t.tmux("capture-pane", "-p", "-J", "-t", "e2e")  # the line is longer than the pane
    return next((ln for ln in joined.splitlines() if ln.startswith(f"nnplay: ended by {name}")), joined)


FATAL = [signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGXCPU]


@pytest.mark.parametrize("signum", FATAL, ids=lambda s: signal.Signals(s).name)
def test_a_fatal_signal_restores_the_terminal_and_saves_the_run(shell_terminal, signum) -> None:
    t, work, _ = shell_terminal()
    screen = signals_while_training(t, signum)
    assert_terminal_restored(t, screen)
    assert f"EXIT={128 + signum}" in screen
    files = list(work.glob("nnplay-recovery-*.npz"))
    assert len(files) == 1, f"one recovery file in the current folder: {list(work.iterdir())}"
    assert f"to {files[0]}" in recovery_line(t, signal.Signals(signum).name)


@pytest.mark.parametrize("first", [None, signal.SIGTERM, signal.SIGHUP], ids=["alone", "after SIGTERM", "after SIGHUP"])
def test_sigcont_never_leaves_the_terminal_raw(shell_terminal, first) -> None:
    t, _, _ = shell_terminal()
    if first is None:
        # A stray SIGCONT while the app runs: it goes on, and q then leaves the terminal as it was.
        t.wait_for(plot_visible, "the plot")
        os.kill(app_pid(t), signal.SIGCONT)
        t.keys("q")
        screen = t.wait_for(lambda s: DONE in s, "q to end the app after a SIGCONT")
        assert "EXIT=0" in screen
    else:
        # What systemd sends to stop a service: the signal, then SIGCONT in case it was stopped.
        screen = signals_while_training(t, first, signal.SIGCONT)
        assert f"EXIT={128 + first}" in screen
    assert_terminal_restored(t, screen)

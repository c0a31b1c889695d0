"""SIGTERM and SIGHUP to the real app in tmux: it ends as q does, keeps the run, and the terminal is usable after.

The pane runs a shell that runs the app and stays: once the app has ended it prints the exit
status and ``stty -a``, so the test reads the terminal's mode as the user's next command would
find it. Without the handlers the signal killed the app in raw mode: ``-echo -icanon``, the
alternate screen still on, the mouse still reported, the cursor hidden.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nnplay.tui.terminal.signals import EXIT_STALL
from tests.e2e.test_tmux import Terminal, parse_step, plot_visible, timeout_scale

DONE = "SHELL-AFTER-APP"


@pytest.fixture
def shell_terminal(tmp_path: Path) -> Iterator[Callable[[], tuple[Terminal, Path, Path]]]:
    opened: list[Terminal] = []

    def open_app() -> tuple[Terminal, Path, Path]:
        work, state = tmp_path / "work", tmp_path / "state"
        work.mkdir()
        t = Terminal(120, 40, work)
        t.env["XDG_STATE_HOME"] = str(state)
        opened.append(t)
        app = f"{shlex.quote(sys.executable)} -m nnplay.tui.cli"
        t.start(command=f"cd {shlex.quote(str(work))} && {app}; echo EXIT=$?; stty -a; echo {DONE}; exec sleep 600")
        return t, work, state

    try:
        yield open_app
    finally:
        for t in opened:
            t.close()


@pytest.fixture
def terminal_app(tmp_path: Path) -> Iterator[Callable[[], Terminal]]:
    opened: list[Terminal] = []

    def open_app() -> Terminal:
        t = Terminal(120, 40, tmp_path)
        opened.append(t)
        t.start()
        return t

    try:
        yield open_app
    finally:
        for t in opened:
            t.close()


def app_pid(t: Terminal) -> int:
    shell = int(t.tmux("display-message", "-p", "-t", "e2e", "#{pane_pid}").strip())
    children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
    assert len(children) == 1, f"the pane's shell should run the app alone: {children}"
    return int(children[0])


def running(pid: int) -> bool:
    """Not ended: an ended process can stay a zombie for a while here (PID 1 reaps it late)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def train_then_signal(t: Terminal, signum: int) -> str:
    t.wait_for(plot_visible, "the plot")
    t.keys("Space")
    t.wait_for(lambda s: "steps/s" in s and (parse_step(s) or 0) > 0, "training to start", 5.0)
    os.kill(app_pid(t), signum)
    return t.wait_for(lambda s: DONE in s, f"the app to end on {signal.Signals(signum).name} and the shell to go on")


def assert_terminal_restored(t: Terminal, screen: str) -> None:
    words = set(re.split(r"[\s;]+", screen))
    assert {"echo", "icanon"} <= words and not {"-echo", "-icanon"} & words, screen
    flags = t.tmux("display-message", "-p", "-t", "e2e", "#{alternate_on} #{mouse_any_flag} #{cursor_flag}").split()
    assert flags == ["0", "0", "1"], f"alternate screen, mouse reporting, cursor shown: {flags}"
    assert "Traceback" not in t.everything()


def test_sigterm_restores_the_terminal_and_saves_the_run(shell_terminal) -> None:
    from nnplay.core.files.session_file import load_session

    t, work, state = shell_terminal()
    screen = train_then_signal(t, signal.SIGTERM)
    assert_terminal_restored(t, screen)
    assert "EXIT=143" in screen
    files = list(work.glob("nnplay-recovery-*.npz"))
    assert len(files) == 1, f"one recovery file in the current folder: {list(work.iterdir())}"
    joined = t.tmux("capture-pane", "-p", "-J", "-t", "e2e")  # the line is longer than the pane
    line = next((ln for ln in joined.splitlines() if ln.startswith("nnplay: ended by SIGTERM")), "")
    assert f"to {files[0]}" in line and "unsaved step" in line, joined
    saved = load_session(files[0])
    step = int(re.search(r"at step ([\d,]+)", line).group(1).replace(",", ""))
    assert saved.step_count == step > 0
    assert not state.exists(), "the current folder took the file: nothing in the state folder"


def test_sighup_restores_the_terminal_and_saves_the_run(shell_terminal) -> None:
    """The terminal closing never asked the question q asks about unsaved work: SIGHUP saves as SIGTERM does."""
    t, work, state = shell_terminal()
    screen = train_then_signal(t, signal.SIGHUP)
    assert_terminal_restored(t, screen)
    assert "EXIT=129" in screen and "nnplay: ended by SIGHUP" in screen
    files = list(work.glob("nnplay-recovery-*.npz"))
    assert len(files) == 1, f"one recovery file in the current folder: {list(work.iterdir())}"
    assert not state.exists()


def test_closing_the_terminal_ends_the_app(terminal_app) -> None:
    """tmux's kill-server closes the pane's terminal: the app gets SIGHUP and then finds every write
    failing, which can block Textual's exit for good (it did one time in two here). The process
    must still end, soon after its exit stalls (tui/terminal/signals.py's watchdog)."""
    t = terminal_app()
    t.wait_for(plot_visible, "the plot")
    t.keys("Space")
    t.wait_for(lambda s: "steps/s" in s, "training to start", 5.0)
    pid = int(t.tmux("display-message", "-p", "-t", "e2e", "#{pane_pid}").strip())
    t.tmux("kill-server")
    waited = (EXIT_STALL + 5) * timeout_scale()
    deadline = time.monotonic() + waited
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = running(pid)
    if alive:
        os.kill(pid, signal.SIGKILL)  # leave nothing behind
    assert not alive, f"the app was still running {waited:.0f} s after its terminal closed"

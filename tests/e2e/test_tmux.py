"""The real app in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STEP = re.compile(r"step ([\d,]+)")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    def __init__(self, width: int, height: int, args: str = "") -> None:
        self.socket = f"nnplay-e2e-{uuid.uuid4().hex[:8]}"
        # --engine numpy: no background compile, so timings do not depend on numba's cache.
        # The short sleep lets tmux settle the window size first: under load the pane's process
        # could otherwise start while the window is still tmux's default 80x24.
        command = f"sleep 0.3; cd {ROOT} && exec {sys.executable} -m tui.cli --engine numpy {args}"
        self.tmux("new-session", "-d", "-s", "app", "-x", str(width), "-y", str(height), "-e", "TERM=xterm-256color",
                  command)  # fmt: skip
        # Keep the pane after the app exits, to read its last screen (a traceback would show there).
        self.tmux("set-option", "-t", "app", "remain-on-exit", "on")
        self.tmux("resize-window", "-t", "app", "-x", str(width), "-y", str(height))

    def tmux(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "NO_COLOR")}
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=env)
        return out.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out; the screen was:\n{screen}")

    def step(self) -> int:
        match = STEP.search(self.screen())
        assert match, self.screen()
        return int(match.group(1).replace(",", ""))

    def dead(self) -> bool:
        return self.tmux("list-panes", "-F", "#{pane_dead}").strip() == "1"

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal() -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(width: int = 120, height: int = 40, args: str = "") -> Terminal:
        opened.append(Terminal(width, height, args))
        return opened[-1]

    yield open_terminal
    for t in opened:
        t.close()


def plot_visible(screen: str) -> bool:
    return "decision regi" in screen and any(0x2801 <= ord(c) <= 0x28FF for c in screen)


def test_a_first_session_at_120x40(terminal) -> None:
    t = terminal(120, 40)
    screen = t.wait_for(lambda s: plot_visible(s) and "step 0 " in s)
    assert "neurons & weights" in screen and "learn rate" in screen

    t.keys("n")
    t.wait_for(lambda s: "step 1 " in s)

    t.keys("Space")
    t.wait_for(lambda s: "steps/s" in s)
    first = t.step()
    time.sleep(1.0)
    assert t.step() > first, "the step counter should move while training"

    t.keys("Space")
    t.wait_for(lambda s: "paused" in s)
    stopped = t.step()
    time.sleep(1.0)
    assert t.step() == stopped, "the step counter should stop when paused"

    t.keys("?")
    t.wait_for(lambda s: "nnplay help" in s)
    t.keys("Escape")
    t.wait_for(lambda s: "nnplay help" not in s and plot_visible(s))

    t.keys("q")
    deadline = time.monotonic() + 2.0
    while not t.dead() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert t.dead(), "q should quit within 2 s"
    assert "Traceback" not in t.screen()


def test_quit_while_training_is_prompt(terminal) -> None:
    t = terminal(120, 40, "--preset spiral")
    t.wait_for(plot_visible)
    t.keys("Space")
    t.wait_for(lambda s: "steps/s" in s)
    started = time.monotonic()
    t.keys("q")
    while not t.dead() and time.monotonic() - started < 2.0:
        time.sleep(0.02)
    assert t.dead(), "quitting mid-training should exit within 2 s"
    assert "Traceback" not in t.screen()


def test_small_terminal_80x24(terminal) -> None:
    t = terminal(80, 24)
    t.wait_for(lambda s: plot_visible(s) and "step 0 " in s)
    t.keys("n")
    t.wait_for(lambda s: "step 1 " in s)
    t.keys("t")
    t.wait_for(lambda s: "paused" in s and t.step() > 1, timeout=30)


def test_bad_flag_exits_2_in_one_line(terminal) -> None:
    out = subprocess.run([sys.executable, "-m", "tui.cli", "--lr", "fast"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "--lr" in out.stderr and "fast" in out.stderr

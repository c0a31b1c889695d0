"""Without a terminal the app refuses to start; when its input ends, the app ends (tui/terminal/signals.py).

The real ``nnplay`` runs as a process of its own: on no terminal at all, on a pty the test holds
the other side of and then closes (no SIGHUP: the pty is not the app's controlling terminal, as
for a served app or a pty whose owner died), and under textual-serve's driver on pipes whose
writer (the server) goes away.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nnplay.core.files.session_file import load_session
from nnplay.tui.terminal.signals import EXIT_INPUT_ENDED
from tests.timing import timeout_scale

APP = [sys.executable, "-m", "nnplay.tui.cli"]
APP_START = 60.0  # seconds for the app to start or to end on a quiet machine, before scaling


def deadline() -> float:
    """How long to wait for the app to start or to end: generous, and longer on a busier machine."""
    return APP_START * timeout_scale()


class Output:
    """Everything a process writes to ``fd``, read by a thread so that the process never blocks."""

    def __init__(self, fd: int) -> None:
        self.data = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(fd,), daemon=True)
        self._thread.start()

    def _read(self, fd: int) -> None:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the pty's other side is gone
                return
            if not chunk:
                return
            with self._lock:
                self.data += chunk

    def wait_for(self, text: bytes, what: str) -> None:
        wait_until(lambda: text in self.snapshot(), what, lambda: self.snapshot()[-2000:].decode(errors="replace"))

    def snapshot(self) -> bytes:
        with self._lock:
            return bytes(self.data)


def wait_until(condition: Callable[[], bool], what: str, seen: Callable[[], str] = str) -> None:
    seconds = deadline()
    until = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > until:
            raise AssertionError(f"waited {seconds:.0f} s for {what}; the last output:\n{seen()}")
        time.sleep(0.05)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()  # leave nothing behind, spinning or not
            proc.wait()


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TEXTUAL_DRIVER", "NO_COLOR")}
    env.update(TERM="xterm-256color", XDG_STATE_HOME=str(tmp_path / "state"), **extra)
    return env


def ended_status(proc: subprocess.Popen, what: str) -> int:
    wait_until(lambda: proc.poll() is not None, what)
    return proc.returncode


@pytest.mark.parametrize("stdin", ["null", "closed", "terminal"])
def test_without_a_terminal_the_app_says_so_in_one_line_and_exits_2(tmp_path, processes, stdin) -> None:
    """``nnplay </dev/null >out 2>&1`` drew escape codes into the file and never ended."""
    leader, follower = pty.openpty()
    try:
        where = {"null": subprocess.DEVNULL, "closed": None, "terminal": follower}[stdin]
        close_fds = () if stdin != "closed" else (0,)
        proc = subprocess.Popen(
            [*APP, "lesson", "1"] if stdin == "terminal" else APP,
            stdin=where, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path, env=environment(tmp_path),
            preexec_fn=(lambda: [os.close(fd) for fd in close_fds]) if close_fds else None,
        )  # fmt: skip
        processes.append(proc)
        out, _ = proc.communicate(timeout=deadline())
    finally:
        os.close(leader)
        os.close(follower)
    prog = "nnplay lesson" if stdin == "terminal" else "nnplay"
    missing = "standard error is" if stdin == "terminal" else "standard input and standard error are"
    assert out.decode() == f"{prog}: error: {missing} not a terminal: the app needs one (nnplay train runs without)\n"
    assert proc.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_headless_commands_need_no_terminal(tmp_path) -> None:
    out = subprocess.run(
        [*APP, "train", "--epochs", "1", "--json"], stdin=subprocess.DEVNULL, capture_output=True, cwd=tmp_path,
        env=environment(tmp_path), timeout=deadline(),
    )  # fmt: skip
    assert out.returncode == 0 and b'"epochs": 1' in out.stdout, out.stderr.decode()


def test_closing_the_pty_ends_the_app_after_saving_the_run(tmp_path, processes) -> None:
    """The app's terminal closes without a SIGHUP: Textual's input thread read nothing at a full core for ever."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # rows, columns
    proc = subprocess.Popen(APP, stdin=follower, stdout=follower, stderr=follower, cwd=tmp_path,
                            env=environment(tmp_path), start_new_session=True)  # fmt: skip
    processes.append(proc)  # a session of its own and no controlling terminal: closing the pty sends no SIGHUP
    os.close(follower)
    output = Output(leader)
    output.wait_for(b"paused", "the app to draw its status line")
    os.write(leader, b" ")
    output.wait_for(b"steps/s", "training to start")
    os.close(leader)
    status = ended_status(proc, "the app to end once its terminal was closed")
    assert status == EXIT_INPUT_ENDED, f"exit status {status}"
    (saved,) = tmp_path.glob("nnplay-recovery-*.npz")
    assert load_session(saved).step_count > 0


def test_a_served_app_ends_when_its_server_goes(tmp_path, processes) -> None:
    """textual-serve's driver reads packets from a pipe; the server dying closes it (and sends no signal)."""
    proc = subprocess.Popen(
        APP, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
        env=environment(tmp_path, TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver"),
    )  # fmt: skip
    processes.append(proc)
    output = Output(proc.stdout.fileno())
    Output(proc.stderr.fileno())
    output.wait_for(b"paused", "the served app to draw its status line")
    proc.stdin.close()
    status = ended_status(proc, "the served app to end once its input was closed")
    assert status == EXIT_INPUT_ENDED, f"exit status {status}"
    assert list(tmp_path.glob("nnplay-recovery-*.npz")) == [], "nothing was trained: nothing to save"

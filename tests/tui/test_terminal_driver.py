"""SIGCONT resumes only an app that SIGTSTP suspended (tui/terminal/driver.py).

The handlers are called directly, with the terminal's side (starting and stopping application mode,
the SIGSTOP the suspend sends the process) recorded instead of done; tests/e2e/test_signals_restore.py
checks the terminal itself.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator

import pytest
from textual.app import App

from nnplay.tui.terminal.driver import TerminalDriver


@pytest.fixture
async def driver(monkeypatch) -> AsyncIterator[tuple[TerminalDriver, list[str]]]:
    previous = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}  # the driver replaces them
    done: list[str] = []
    monkeypatch.setattr("os.kill", lambda pid, signum: done.append(signal.Signals(signum).name))
    d = TerminalDriver(App())

    def start() -> None:
        done.append("start")
        d.in_application_mode = True

    def stop() -> None:
        done.append("stop")
        d.in_application_mode = False

    monkeypatch.setattr(d, "start_application_mode", start)
    monkeypatch.setattr(d, "stop_application_mode", stop)
    monkeypatch.setattr(d, "close", lambda: None)
    d.in_application_mode = True  # running
    try:
        yield d, done
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


async def test_a_stray_sigcont_changes_nothing(driver) -> None:
    d, done = driver
    d._sigcont_application()
    assert done == []
    d.in_application_mode = False  # exiting: the terminal modes are the user's again
    d._sigcont_application()
    assert done == [], "a SIGCONT during the exit must not put the terminal back in raw mode"


async def test_sigcont_after_a_suspend_resumes_once(driver) -> None:
    d, done = driver
    d._sigtstp_application()
    assert done == ["stop", "SIGSTOP"]
    d._sigcont_application()
    d._sigcont_application()
    assert done == ["stop", "SIGSTOP", "start"]


async def test_a_suspend_without_automatic_restart_is_not_resumed(driver) -> None:
    d, done = driver
    with d.no_automatic_restart():
        d._sigtstp_application()
        d._sigcont_application()
    assert done == ["SIGSTOP"]

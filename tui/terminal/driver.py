"""Textual's terminal driver, with SIGCONT resuming only an app that SIGTSTP suspended; and whether there is a terminal.

The rule: the terminal modes Textual restores at exit are the ones it saved when it started, so
they are saved only while they are the user's, never while the app has the terminal in raw mode.

Textual's ``LinuxDriver`` starts application mode again on every SIGCONT. After a suspend
(``ctrl+z``, SIGTSTP) that is right: the suspend gave the terminal back to the user's modes, and
the restart saves them again. But a SIGCONT that follows no suspend (a stray ``kill -CONT``, or
the SIGCONT systemd sends after SIGTERM or SIGHUP) restarts an app that is running or already
exiting: it saves the raw modes as the ones to restore, so the app exits leaving the terminal raw
(no echo, no line editing), and it starts a second input thread and writer thread besides. Here a
SIGCONT resumes only a suspended app, and starting application mode twice does nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from textual.drivers.linux_driver import LinuxDriver


class TerminalDriver(LinuxDriver):
    """``LinuxDriver`` whose SIGCONT and start follow the rule above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.suspended = False  # application mode stopped by SIGTSTP; the next SIGCONT resumes it
        self.in_application_mode = False
        super().__init__(*args, **kwargs)  # installs the SIGTSTP and SIGCONT handlers below

    def _sigtstp_application(self, *args: Any) -> None:
        # Textual suspends (stops application mode) only while it may restart automatically.
        self.suspended = self._auto_restart
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: Any) -> None:
        if self.suspended:
            super()._sigcont_application(*args)
            self.suspended = not self.in_application_mode  # still in the background: the next SIGCONT

    def start_application_mode(self) -> None:
        if self.in_application_mode:
            return
        writer = self._writer_thread
        super().start_application_mode()
        # Textual gives up, starting nothing, when the process is in the background (its test
        # write to the terminal's modes fails): it has started when it made a new writer thread.
        self.in_application_mode = self._writer_thread is not writer

    def stop_application_mode(self) -> None:
        self.in_application_mode = False
        super().stop_application_mode()


def missing_terminal(environ: Mapping[str, str] | None = None) -> str | None:
    """Why the app has no terminal to run in, as one line; None when it has one.

    The terminal driver reads keys from standard input and draws on standard error (standard
    output is free: ``nnplay > file`` still draws); without a terminal on both it would write
    escape codes into a file and wait for keys that never come. An app given another driver
    (textual-serve sets ``TEXTUAL_DRIVER`` and talks to it over pipes) needs none.
    """
    environ = os.environ if environ is None else environ
    if environ.get("TEXTUAL_DRIVER"):
        return None
    missing = [name for name, stream in (("standard input", sys.__stdin__), ("standard error", sys.__stderr__))
               if not _is_terminal(stream)]  # fmt: skip
    if not missing:
        return None
    verb = "is" if len(missing) == 1 else "are"
    return f"{' and '.join(missing)} {verb} not a terminal: the app needs one (nnplay train runs without)"


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and os.isatty(stream.fileno())
    except (OSError, ValueError):  # closed
        return False

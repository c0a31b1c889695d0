"""A connection's app ends once its client has gone (tui/serve/relay.py): asked to quit, then SIGTERM,
then SIGKILL, each after its grace; the connection ends when the process has. Run on real processes
under textual-serve's ``AppService``, with the graces shortened."""

from __future__ import annotations

import asyncio
import shlex
import sys
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from nnplay.tui.serve import relay as relay_module
from nnplay.tui.serve.relay import ClientConnection
from tests.serve.served import wait_for

# A stand-in app: it never reads the quit, and (with "term") ignores SIGTERM too.
STUBBORN = """
import pathlib, signal, sys, time
if sys.argv[1] == "term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
pathlib.Path(sys.argv[2]).touch()
time.sleep(600)
"""


class GoneClient:
    """A websocket whose client has already gone: no messages, closed."""

    closed = True

    def __aiter__(self):
        return self

    async def __anext__(self):
        raise StopAsyncIteration


async def end_connection(mode: str, ready: Path) -> tuple[int | None, list[str]]:
    lines: list[str] = []
    command = f"exec {shlex.quote(sys.executable)} -c {shlex.quote(STUBBORN)} {mode} {shlex.quote(str(ready))}"
    app = AppService(command, write_bytes=None, write_str=None, close=None, download_manager=DownloadManager())  # type: ignore[arg-type]
    await app.start(80, 24)
    await wait_for(ready.exists, "the stand-in app started")
    await ClientConnection(GoneClient(), app, lines.append).run()  # type: ignore[arg-type]
    await app.stop()
    return app._process.returncode, lines


@pytest.mark.parametrize(
    ("mode", "returncode", "signals"), [("quit", -15, ["SIGTERM"]), ("term", -9, ["SIGTERM", "SIGKILL"])]
)
def test_an_app_that_does_not_quit_is_terminated_then_killed(monkeypatch, tmp_path, mode, returncode, signals) -> None:
    monkeypatch.setattr(relay_module, "QUIT_GRACE", 0.5)
    monkeypatch.setattr(relay_module, "TERM_GRACE", 0.5)
    code, lines = asyncio.run(end_connection(mode, tmp_path / "ready"))
    assert code == returncode  # the process has ended (and was reaped) when the connection ends
    assert [line.rsplit(": ", 1)[1] for line in lines] == signals
    assert all("after its client left" in line for line in lines)

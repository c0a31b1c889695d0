"""A real ``nnplay serve`` in a subprocess, and a browser's side of it over aiohttp.

App processes are found as the server's descendants running ``nnplay.tui.cli`` (each browser
session is one). The server's stdout and stderr go to files: textual-serve prints there, and a
test reads what a user would have seen on the server's terminal.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from nnplay.tui.serve.relay import QUIT_GRACE, TERM_GRACE
from tests.timing import timeout_scale

ROOT = Path(__file__).resolve().parents[2]
APP_START = 20.0  # seconds for an app's start on a 2-core machine, with margin, before scaling
MEMORY_LIMIT_MB = 400  # what one app may take, whatever its client sends (issue 20)


def deadline() -> float:
    """How long to wait for an app's start or its answer: ``APP_START`` times ``timeout_scale()``,
    read at each wait, since the load changes while the suite runs."""
    return APP_START * timeout_scale()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mb(pid: int) -> tuple[int, int] | None:
    """A process's resident set now and at its peak (VmRSS, VmHWM) in MB; None once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    try:
        return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024
    except KeyError:  # a zombie has no memory left
        return None


class Served:
    def __init__(self, proc: subprocess.Popen, port: int, out: Path, err: Path) -> None:
        self.proc, self.port, self._out, self._err = proc, port, out, err
        self.url = f"http://127.0.0.1:{port}"
        self.peak_mb = 0  # the largest app peak seen by watch()

    def apps(self) -> list[int]:
        """The app processes running under the server now."""
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                todo.append(child)
                try:
                    words = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                # (A shell has it inside one word; an app's first trainer process is a fork of the app, its
                # command line the app's.)
                if b"nnplay.tui.cli" in words and b"serve" not in words and pid not in found:
                    found.append(child)
        return found

    def watch(self) -> list[int]:
        """The apps now, their memory peaks added to ``peak_mb``."""
        apps = self.apps()
        for pid in apps:
            memory = memory_mb(pid)
            if memory:
                self.peak_mb = max(self.peak_mb, memory[1])
        return apps

    @asynccontextmanager
    async def watching(self) -> AsyncIterator[Served]:
        """Inside the block, the apps' memory is sampled ten times a second into ``peak_mb``."""

        async def sample() -> None:
            while True:
                self.watch()
                await asyncio.sleep(0.1)

        sampler = asyncio.create_task(sample())
        try:
            yield self
        finally:
            sampler.cancel()
            self.watch()

    def stderr(self) -> str:
        """Everything the server printed on stderr, once it has stopped."""
        self.stop()
        return self._err.read_text(errors="replace")

    def output(self) -> str:
        """Everything the server printed, stdout then stderr, once it has stopped."""
        self.stop()
        return self._out.read_text(errors="replace") + self._err.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM, and wait while the server ends its apps as it promises (the relay's quit, then
        SIGTERM, then SIGKILL, each with its grace), plus a margin that scales with the load."""
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        seconds = QUIT_GRACE + TERM_GRACE + 10 * timeout_scale()
        try:
            self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"nnplay serve still ran {seconds:.0f} s after SIGTERM (killed)") from None


def start_server(folder: Path, *flags: str) -> Served:
    port = free_port()
    out, err = folder / f"serve-{port}.out", folder / f"serve-{port}.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nnplay.tui.cli", "serve", "--port", str(port), *flags],
            cwd=folder,  # a closed tab's app saves its recovery file here, not in the checkout
            stdout=stdout,
            stderr=stderr,
        )
    served = Served(proc, port, out, err)
    until = time.monotonic() + deadline()
    while True:
        try:
            with urllib.request.urlopen(served.url + "/", timeout=2):
                return served
        except OSError:
            assert proc.poll() is None, err.read_text()
            if time.monotonic() > until:
                raise
            time.sleep(0.1)


async def read_until(ws: aiohttp.ClientWebSocketResponse, wanted: bytes, seconds: float | None = None) -> bytes:
    """The terminal bytes the server sends, until ``wanted`` is among them (or ``seconds``, by
    default ``deadline()``, are up)."""
    received = b""
    until = time.monotonic() + (deadline() if seconds is None else seconds)
    while wanted not in received and time.monotonic() < until:
        try:
            message = await asyncio.wait_for(ws.receive(), 1)
        except TimeoutError:
            continue
        if message.type != aiohttp.WSMsgType.BINARY:
            break
        received += message.data
    return received


async def pong(ws: aiohttp.ClientWebSocketResponse) -> object:
    """The data of the server's next pong, past the terminal output in between."""
    while True:
        message = await ws.receive(timeout=deadline())
        if message.type == aiohttp.WSMsgType.TEXT and message.json()[0] == "pong":
            return message.json()[1]
        assert message.type == aiohttp.WSMsgType.BINARY, message


async def open_app(session: aiohttp.ClientSession, served: Served, origin: str | None = None, query: str = ""):
    ws = await session.ws_connect(f"ws://127.0.0.1:{served.port}/ws{query}", origin=origin or served.url)
    if not query:
        await ws.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
    return ws


async def wait_for(condition: Callable[[], object], what: str, seconds: float | None = None) -> None:
    """Wait until ``condition()`` is true (for ``seconds``, by default ``deadline()``); fail saying
    ``what`` never happened."""
    seconds = deadline() if seconds is None else seconds
    until = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < until, f"{what}: not within {seconds:.0f} s"
        await asyncio.sleep(0.1)

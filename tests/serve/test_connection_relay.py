"""What a connection passes on to its app (tui/serve/relay.py), with a scripted client and an app that
records what it is sent: resizes coalesced to the latest, input over its budget dropped with one line,
and an app that stops reading its input ends the connection."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("textual_serve")
from aiohttp import WSMessage, WSMsgType

from nnplay.tui.serve import relay as relay_module
from nnplay.tui.serve.messages import KEY_BURST, RESIZE_INTERVAL
from nnplay.tui.serve.relay import ClientConnection


class ScriptedClient:
    """A websocket whose client sends ``frames`` at once, then stays ``linger`` seconds and goes."""

    def __init__(self, frames: list[str], linger: float) -> None:
        self.frames, self.linger = list(frames), linger
        self.closed = False
        self.sent: list[str] = []

    def __aiter__(self):
        return self

    async def __anext__(self) -> WSMessage:
        if self.frames:
            await asyncio.sleep(0)  # as a socket's reads do, other tasks run between frames
            return WSMessage(WSMsgType.TEXT, self.frames.pop(0), None)
        await asyncio.sleep(self.linger)
        self.closed = True
        raise StopAsyncIteration

    async def send_str(self, data: str) -> None:
        self.sent.append(data)


class RecordingApp:
    """textual-serve's AppService as the connection uses it, recording instead of running a process."""

    _process = None

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []
        self.input = b""

    async def set_terminal_size(self, width: int, height: int) -> None:
        self.sizes.append((width, height))

    async def send_bytes(self, data: bytes) -> bool:
        self.input += data
        return True


class StalledApp(RecordingApp):
    """An app whose input pipe is full for good: a write waits for room that never comes."""

    async def send_bytes(self, data: bytes) -> bool:
        await asyncio.Event().wait()
        return True


def relay(
    frames: list[str], linger: float, app: RecordingApp | None = None
) -> tuple[RecordingApp, ScriptedClient, list[str]]:
    app, client, lines = app or RecordingApp(), ScriptedClient(frames, linger), []
    asyncio.run(ClientConnection(client, app, lines.append).run())  # type: ignore[arg-type]
    return app, client, lines


def test_a_storm_of_resizes_reaches_the_app_as_the_first_and_the_latest() -> None:
    frames = [json.dumps(["resize", {"width": 40 + i, "height": 20}]) for i in range(200)]
    app, _, lines = relay(frames, linger=10 * RESIZE_INTERVAL)
    assert app.sizes[0] == (40, 20) and app.sizes[-1] == (239, 20)  # the first at once, the latest last
    assert len(app.sizes) < 10  # at most one every RESIZE_INTERVAL (the 200 came within a few)
    assert lines == []


def test_input_over_the_burst_is_dropped_whole_with_one_line_and_a_ping_is_answered() -> None:
    frames = [json.dumps(["stdin", "n" * 400]) for _ in range(10)] + [json.dumps(["ping", "hi"])]
    app, client, lines = relay(frames, linger=0)
    assert app.input == b"n" * 400 * int(KEY_BURST // 400)  # whole frames while the burst lasts, then none
    assert len(lines) == 1 and "keys a second" in lines[0]
    assert client.sent == ['["pong", "hi"]']


def test_an_app_that_stops_reading_its_input_ends_the_session_with_one_line(monkeypatch) -> None:
    monkeypatch.setattr(relay_module, "APP_STALL", 0.2)
    frames = [json.dumps(["stdin", "n"]), json.dumps(["stdin", "m"])]
    _, client, lines = relay(frames, linger=600, app=StalledApp())  # returns long before the client would go
    assert not client.closed and client.frames == [json.dumps(["stdin", "m"])]
    assert len(lines) == 1 and "has not read its input" in lines[0]

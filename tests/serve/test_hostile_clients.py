"""A client of the real ``nnplay serve`` that is not nnplay's page, with the right Origin: every size it
sends is bounded before the app sees it, whatever else it sends ends its connection with one log line,
and its app ends when it goes. Memory is the app process's resident set (/proc/PID/status).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")
import aiohttp
from aiohttp import WSCloseCode

from nnplay.tui.serve.messages import KEY_BURST, STDIN_FRAME_MAX
from nnplay.tui.serve.relay import QUIT_GRACE, TERM_GRACE
from tests.serve.served import MEMORY_LIMIT_MB, Served, deadline, open_app, read_until, wait_for

# The crafted frames that printed textual-serve's tracebacks or crashed the app, a binary one, and
# one over aiohttp's 4 MB message limit: each ends its connection, with the close codes the client may get
# (the server may cut the connection while the client is still sending the big one).
POLICY = (WSCloseCode.POLICY_VIOLATION,)
ENDS_THE_SESSION = (
    ("{", POLICY),
    ('{"a":1}', POLICY),
    ('["stdin",12345]', POLICY),
    ('["resize", {"width": 1e308, "height": 1e308}]', POLICY),
    (b"\x00", POLICY),
    (json.dumps(["stdin", "n" * 5 * 2**20]), (WSCloseCode.MESSAGE_TOO_BIG, WSCloseCode.ABNORMAL_CLOSURE)),
)


CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)


def assert_quiet(output: str) -> None:
    """Nothing like a traceback on the server's terminal (textual-serve's are boxes drawn by Rich)."""
    assert "Traceback" not in output and "╭" not in output and "Error:" not in output, output[-3000:]


async def still_drives_its_app(ws: aiohttp.ClientWebSocketResponse) -> None:
    """The app took everything before this key and still works: n (one step) is drawn."""
    await ws.send_str(json.dumps(["stdin", "n"]))
    assert b"step 1 " in await read_until(ws, b"step 1 ", 3 * deadline()), "the app never drew step 1"


@pytest.mark.slow
def test_a_resize_past_any_screen_is_clamped_and_the_app_stays_small(serve) -> None:
    served: Served = serve()

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session, served.watching():
            ws = await open_app(session, served)
            assert b"paused" in await read_until(ws, b"paused")
            await ws.send_str(json.dumps(["resize", {"width": 100000, "height": 100000}]))
            await still_drives_its_app(ws)
            assert not ws.closed

    asyncio.run(scenario())
    assert 0 < served.peak_mb < MEMORY_LIMIT_MB
    assert_quiet(served.output())


@pytest.mark.slow
def test_a_websocket_asking_for_a_size_past_any_screen_starts_the_app_clamped(serve) -> None:
    served: Served = serve()

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session, served.watching():
            ws = await open_app(session, served, query="?width=20000&height=20000")
            assert b"paused" in await read_until(ws, b"paused", 3 * deadline())
            await still_drives_its_app(ws)

    asyncio.run(scenario())
    assert 0 < served.peak_mb < MEMORY_LIMIT_MB
    assert_quiet(served.output())


def test_a_websocket_asking_for_a_size_that_is_no_number_is_refused_400_without_an_app(serve) -> None:
    served: Served = serve()

    async def connect(query: str) -> int:
        async with aiohttp.ClientSession() as session:
            try:
                await session.ws_connect(f"ws://127.0.0.1:{served.port}/ws{query}", origin=served.url)
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status
        return 101

    for query in ("?width=1e308&height=24", "?width=80&height=NaN", "?width=-3"):
        assert asyncio.run(connect(query)) == 400, query
    assert served.apps() == []
    err = served.stderr()
    assert err.count("refused a websocket:") == 3, err
    assert_quiet(served.output())


@pytest.mark.slow
def test_a_huge_stdin_frame_is_dropped_with_one_line_and_the_session_goes_on(serve) -> None:
    served: Served = serve()
    frame = json.dumps(["stdin", "n" * (4 * 2**20 - 64)])  # just under aiohttp's 4 MB message limit

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session, served.watching():
            ws = await open_app(session, served)
            assert b"paused" in await read_until(ws, b"paused")
            await ws.send_str(frame)
            await still_drives_its_app(ws)  # step 1: none of the 4 MB of n went through
            assert not ws.closed

    asyncio.run(scenario())
    assert 0 < served.peak_mb < MEMORY_LIMIT_MB
    err = served.stderr()
    assert err.count(f"(at most {STDIN_FRAME_MAX})") == 1, err
    assert_quiet(served.output())


@pytest.mark.slow
def test_a_flood_of_keys_is_metered_and_the_app_ends_once_its_client_has_gone(serve) -> None:
    """256 KB of n (a training step each) in 512-byte frames: a burst goes through, the rest is dropped;
    the app stays small, and it is gone soon after its client, not busy with a backlog."""
    served: Served = serve()

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session, served.watching():
            ws = await open_app(session, served)
            # The settings panel is built after the plot is shown: the app is whole once it is drawn.
            assert b"test ratio" in await read_until(ws, b"test ratio")
            (app,) = served.apps()
            for _ in range(512):
                await ws.send_str(json.dumps(["stdin", "n" * 512]))
            await ws.send_str(json.dumps(["ping", "after the flood"]))
            while (message := await ws.receive(timeout=deadline())).type == aiohttp.WSMsgType.BINARY:
                pass
            assert message.json() == ["pong", "after the flood"]  # the server read every frame
            await ws.close()
            gone = QUIT_GRACE + TERM_GRACE + deadline()  # asked to quit, then SIGTERM, then SIGKILL
            await wait_for(lambda: app not in served.apps(), "the app ended after its client left", gone)

    asyncio.run(scenario())
    assert 0 < served.peak_mb < MEMORY_LIMIT_MB
    err = served.stderr()
    assert err.count("keys a second") == 1, err  # one line for the whole run of dropped frames
    assert f"burst of {KEY_BURST:.0f}" in err
    assert_quiet(served.output())


@pytest.mark.slow
def test_a_message_the_page_never_sends_ends_its_session_with_one_line(serve) -> None:
    served: Served = serve()

    async def send(frame: str | bytes) -> int | None:
        async with aiohttp.ClientSession() as session:
            ws = await open_app(session, served)
            await wait_for(served.apps, "the session's app started")
            with contextlib.suppress(ConnectionError):
                await (ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_str(frame))
            while (await ws.receive(timeout=deadline())).type not in CLOSED:
                pass
            await wait_for(lambda: not served.apps(), f"the app of a session sent {frame!r} ended")
            return ws.close_code

    for frame, codes in ENDS_THE_SESSION:
        assert asyncio.run(send(frame)) in codes, frame[:40]
    err = served.stderr()
    said = [line for line in err.splitlines() if line.startswith("nnplay serve: ended a session")]
    assert len(said) == len(ENDS_THE_SESSION) and "websocket failed" in said[-1], err
    assert_quiet(served.output())


def status(port: int, head: bytes) -> int:
    """The status the server answers a raw request with."""
    with socket.create_connection(("127.0.0.1", port), timeout=deadline()) as s:
        s.sendall(head)
        return int(s.makefile("rb").readline().split()[1])


def test_an_oversize_request_line_or_header_is_answered_400_with_one_line(serve) -> None:
    """What any page can make a browser send (an <img> with a long URL): a status, one line, no traceback;
    and a URL's control characters never reach the server's terminal."""
    served: Served = serve()
    long_url = b"GET /?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    long_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-A: \x1b]0;PWNED\x07" + b"a" * 9000 + b"\r\n\r\n"
    assert status(served.port, long_url) == 400
    assert status(served.port, long_header) == 400
    assert status(served.port, b"GET /%1b]0;PWNED%07 HTTP/1.1\r\nHost: x\r\n\r\n") == 404
    # The websocket's address fetched as a page, from the page's origin (with a long query).
    plain_get = f"GET /ws?width={'9' * 8000} HTTP/1.1\r\nHost: x\r\nOrigin: {served.url}\r\n\r\n"
    assert status(served.port, plain_get.encode()) == 400
    output = served.output()
    assert_quiet(output)
    assert "\x1b]0;" not in output
    refused = [line for line in output.splitlines() if "answered 400" in line]
    assert len(refused) == 2 and all(len(line) < 400 for line in refused), output
    assert output.count("refused a websocket: not a websocket handshake") == 1, output
    said = [line for line in output.splitlines() if line.startswith("nnplay serve:")]
    assert len(said) == 1 + 3, output  # "open http://...", then one line a refused request


def test_stopping_the_server_ends_the_apps_of_its_live_sessions(serve) -> None:
    """ctrl+c or SIGTERM on the server with a browser still connected: the app does not outlive it."""
    served: Served = serve()

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            ws = await open_app(session, served)
            assert b"paused" in await read_until(ws, b"paused")
            (app,) = served.apps()
            served.proc.terminate()
            message = await ws.receive(timeout=deadline())
            while message.type == aiohttp.WSMsgType.BINARY:
                message = await ws.receive(timeout=deadline())
            assert message.type == aiohttp.WSMsgType.CLOSE and ws.close_code == aiohttp.WSCloseCode.GOING_AWAY
            await wait_for(lambda: not Path(f"/proc/{app}").exists(), "the app ended with its server")

    asyncio.run(scenario())
    assert served.proc.wait(deadline()) == 0
    assert_quiet(served.output())

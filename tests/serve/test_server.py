"""The real ``nnplay serve`` in a subprocess (tests/serve/served.py), driven as a browser would over
aiohttp: the page, the app in it, the origin rule (tui/serve/server.py) and the connection cap.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("textual_serve")
import aiohttp

from nnplay.tui.serve.server import SLOT_WAIT, Slots, origin_of, page_origins
from tests.serve.served import deadline, open_app, pong, read_until, wait_for


def test_the_page_is_served_and_the_app_runs_in_it(serve) -> None:
    served = serve("--preset", "spiral")
    with urllib.request.urlopen(served.url + "/", timeout=deadline()) as response:
        assert response.status == 200
        page = response.read().decode()
    assert "<html" in page.lower() and f"ws://127.0.0.1:{served.port}/ws" in page

    async def first_screen() -> bytes:
        # What the browser does: open the websocket from the page's origin, say the size, read the output.
        async with aiohttp.ClientSession() as session:
            ws = await open_app(session, served)
            return await read_until(ws, b"spiral")

    assert b"spiral" in asyncio.run(first_screen())  # the served app got --preset spiral


FOREIGN = (
    "http://evil.example",
    None,  # no Origin header at all
    "null",  # a sandboxed frame or a file:// page
    "https://127.0.0.1:{port}",  # another scheme is another origin
    "http://127.0.0.1:{other}",  # another port too
    "http://127.0.0.1:{port}.evil.example",
    "http://evil.example:{port}",  # a DNS name rebound to 127.0.0.1 still sends its own origin
)


def test_a_websocket_from_another_origin_is_refused_and_starts_no_app(serve) -> None:
    served = serve()

    async def connect(origin: str | None) -> int:
        headers = {} if origin is None else {"Origin": origin.format(port=served.port, other=served.port + 1)}
        async with aiohttp.ClientSession(skip_auto_headers=["Origin"]) as session:
            try:
                await session.ws_connect(f"ws://127.0.0.1:{served.port}/ws", headers=headers)
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status
        return 101

    for origin in FOREIGN:
        assert asyncio.run(connect(origin)) == 403, origin
    time.sleep(1.0)  # an app, had one been started, would be running by now
    assert served.apps() == []
    err = served.stderr()
    assert err.count("refused a websocket from Origin") == len(FOREIGN) and "Traceback" not in err, err


def test_the_loopback_names_of_the_page_are_its_own_origin(serve) -> None:
    served = serve()

    async def connect(origin: str) -> bytes:
        async with aiohttp.ClientSession() as session:
            ws = await open_app(session, served, origin)
            return await read_until(ws, b"paused")  # the status line: the app is up

    assert b"paused" in asyncio.run(connect(f"http://localhost:{served.port}"))


def test_the_session_cap_refuses_the_next_session_while_the_first_lives(serve) -> None:
    served = serve("--max-sessions", "1")
    busy = b"all 1 session is in use (--max-sessions 1)"

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            first = await open_app(session, served)
            assert b"paused" in await read_until(first, b"paused")
            assert len(served.apps()) == 1

            started = time.monotonic()
            second = await open_app(session, served)
            assert busy in await read_until(second, busy)
            assert time.monotonic() - started >= SLOT_WAIT - 0.1  # it waited for a slot first
            assert not second.closed  # held open: the browser shows the message, not "Session ended"
            page = await session.get(served.url + "/")
            assert page.status == 503 and busy.decode() in await page.text()
            assert len(served.apps()) == 1

            # The first session is untouched: it answers a ping and its app still draws.
            await first.send_str(json.dumps(["ping", "still there?"]))
            assert await pong(first) == "still there?"
            await first.send_str(json.dumps(["stdin", " "]))  # space: train
            assert b"steps/s" in await read_until(first, b"steps/s")

            # Its slot is free once its app has ended: the next session gets an app.
            await first.close()
            await second.close()
            third = await open_app(session, served)
            assert b"paused" in await read_until(third, b"paused")
            assert len(served.apps()) == 1

    asyncio.run(scenario())
    assert "Traceback" not in served.stderr()


def test_a_newcomer_waits_past_the_slot_wait_for_a_session_that_is_already_ending() -> None:
    """A live session's slot is refused after the wait; one whose client has gone is waited for, however
    long its app takes to end on a busy machine (a reload must not find its own old app in the way)."""

    async def scenario() -> None:
        slots = Slots(1)
        first = await slots.take(0)
        assert first is not None
        assert await slots.take(0.05) is None and not await slots.wait(0.05)  # the first lives
        first.client_gone()
        page, newcomer = asyncio.create_task(slots.wait(0.05)), asyncio.create_task(slots.take(0.05))
        await asyncio.sleep(0.5)  # well past their wait: both still wait for the ending slot
        assert not page.done() and not newcomer.done()
        await slots.release(first)
        assert await asyncio.wait_for(page, deadline())
        assert await asyncio.wait_for(newcomer, deadline()) is not None and slots.used == 1

    asyncio.run(scenario())


def test_origins_are_compared_as_browsers_send_them() -> None:
    assert origin_of("http://Example.ORG:80/nn/") == "http://example.org"
    assert origin_of("https://lab.example:443") == "https://lab.example"
    assert origin_of("http://[::1]:8000") == "http://[::1]:8000"
    for bad in ("null", "", "file:///tmp/x.html", "http://h:99999", "ws://h:1", "http://"):
        assert origin_of(bad) is None
    assert page_origins("127.0.0.1", 8000, "http://127.0.0.1:8000") == {
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://[::1]:8000",
    }
    # Listening everywhere: the public URL (this machine's name by default) and the address given.
    assert page_origins("0.0.0.0", 9000, "https://lab.example/nn") == {"https://lab.example"}
    assert page_origins("192.168.1.20", 9000, "http://192.168.1.20:9000") == {"http://192.168.1.20:9000"}


def test_q_in_the_browser_asks_before_losing_work_as_in_the_terminal(serve) -> None:
    """The served app is the app: q with unsaved steps asks, escape stays, q then y quits (its process ends)."""
    served = serve()

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            ws = await open_app(session, served)
            assert b"paused" in await read_until(ws, b"paused")
            await ws.send_str(json.dumps(["stdin", "nn"]))  # two steps
            assert b"step 2 " in await read_until(ws, b"step 2 ")
            await ws.send_str(json.dumps(["stdin", "q"]))
            assert b"2 training steps are not saved." in await read_until(ws, b"2 training steps are not saved.")
            await ws.send_str(json.dumps(["stdin", "\x1b"]))  # escape: stay
            await asyncio.sleep(1.0)
            assert len(served.apps()) == 1
            await ws.send_str(json.dumps(["stdin", "q"]))
            assert b"not saved." in await read_until(ws, b"not saved.")
            await ws.send_str(json.dumps(["stdin", "y"]))
            await wait_for(lambda: not served.apps(), "y ended the served app")

    asyncio.run(scenario())
    assert "Traceback" not in served.stderr()

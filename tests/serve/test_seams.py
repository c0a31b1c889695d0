"""Tripwires: the parts of textual-serve that ``nnplay serve`` hooks (tui/serve/server.py, tui/serve/relay.py)
are still where and what they were. A failure here means textual-serve changed: look at the new
version's ``server.py`` and ``app_service.py`` and move the hook, rather than loosening the test.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")
import textual_serve
from textual_serve.app_service import AppService
from textual_serve.server import Server


def test_the_message_loop_is_a_method_called_between_the_apps_start_and_stop() -> None:
    # GuardedServer._process_messages replaces it: every client message is checked there.
    assert list(inspect.signature(Server._process_messages).parameters) == ["self", "websocket", "app_service"]
    source = inspect.getsource(Server.handle_websocket)
    start, loop, stop = (
        source.index("await app_service.start(width, height)"),
        source.index("await self._process_messages(websocket, app_service)"),
        source.index("await app_service.stop()"),
    )
    assert start < loop < stop


def test_the_starting_size_comes_from_the_websockets_query() -> None:
    # GuardedServer.handle_websocket clamps ?width=&height= and passes on a request with them replaced.
    source = inspect.getsource(Server.handle_websocket)
    assert 'request.query.get("width"' in source and 'request.query.get("height"' in source


def test_logging_is_set_up_by_a_method_serve_calls() -> None:
    # GuardedServer.initialize_logging: one line a record, no access log.
    assert "self.initialize_logging()" in inspect.getsource(Server.serve)


def test_the_server_has_a_shutdown_hook() -> None:
    # GuardedServer.on_shutdown ends every live session's app before aiohttp cancels the handlers.
    assert "app.on_shutdown.append(self.on_shutdown)" in inspect.getsource(Server._make_app)


def test_the_app_is_a_shell_command_whose_process_the_service_holds() -> None:
    # GuardedServer prefixes the command with exec, so ClientConnection can signal the app's own process.
    source = inspect.getsource(AppService._open_app_process)
    assert "create_subprocess_shell(" in source and "self._process = process" in source


def test_the_service_writes_to_the_client_through_attributes_and_quits_the_app_with_meta() -> None:
    # ClientConnection replaces remote_write_bytes and remote_write_str (output is drained after the client left),
    # and sends {"type": "quit"} itself before it signals the app.
    assert "self.remote_write_bytes(payload)" in inspect.getsource(AppService.on_data)
    assert "self.remote_write_str(" in inspect.getsource(AppService.on_meta)
    assert '{"type": "quit"}' in inspect.getsource(AppService.stop)
    for name in ("send_bytes", "send_meta", "set_terminal_size", "focus", "blur"):
        assert inspect.iscoroutinefunction(getattr(AppService, name)), name


def test_the_page_sends_the_five_messages_the_checker_knows() -> None:
    # tui/serve/messages.py refuses any other message; a new one in the page would end every connection.
    script = (Path(textual_serve.__file__).parent / "static" / "js" / "textual.js").read_text()
    assert sorted(re.findall(r"JSON\.stringify\(\[\"(\w+)\"", script)) == ["blur", "focus", "ping", "resize", "stdin"]
    assert '"?width="+e.cols+"&height="+e.rows' in script

"""nnplay serve: local by default, a warning otherwise, and it really serves the page."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tui.cli import UsageError, serve_plan

ROOT = Path(__file__).resolve().parents[2]


def test_listens_on_this_machine_only_by_default() -> None:
    host, port, command, warning = serve_plan("127.0.0.1", 8000, ["--", "--preset", "spiral"])
    assert (host, port, warning) == ("127.0.0.1", 8000, None)
    assert command.endswith("-m tui.cli --preset spiral")


def test_any_other_address_says_so() -> None:
    *_, warning = serve_plan("0.0.0.0", 9000, [])
    assert warning is not None and "0.0.0.0:9000" in warning and "anyone" in warning


def test_bad_app_flags_are_refused_before_listening() -> None:
    with pytest.raises(SystemExit) as info:
        serve_plan("127.0.0.1", 8000, ["--", "--lr", "fast"])
    assert info.value.code == 2
    with pytest.raises(UsageError):
        serve_plan("127.0.0.1", 8000, ["--", "train"])


def test_the_page_is_served() -> None:
    pytest.importorskip("textual_serve")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                    assert response.status == 200
                    assert "<html" in response.read().decode().lower()
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(5)

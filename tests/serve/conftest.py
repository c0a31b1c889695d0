"""The ``serve`` fixture: start a real ``nnplay serve`` (tests/serve/served.py); every one is stopped after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.serve.served import Served, start_server


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*flags: str) -> Served:
        started.append(start_server(tmp_path, *flags))
        return started[-1]

    try:
        yield start
    finally:
        for served in started:
            served.stop()

"""The suite fills numba's cache of the kernel once, in a child, and its workers wait for that
child before their first test (tests/kernel_cache.py)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests import kernel_cache

CHECKOUT = Path(__file__).resolve().parents[1]

WAIT_FOR_GO = "import pathlib, time\nwhile not pathlib.Path('go').exists(): time.sleep(0.01)"


@pytest.fixture
def lock_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(kernel_cache.LOCK_VARIABLE, raising=False)


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="no numba: nothing is compiled")
def test_a_worker_waits_for_the_child_and_no_longer(tmp_path: Path, lock_variable: None) -> None:
    go = tmp_path / "go"
    child = kernel_cache.start_filling(tmp_path / "kernel.lock", tmp_path, code=WAIT_FOR_GO)
    assert child is not None
    assert os.environ[kernel_cache.LOCK_VARIABLE] == str(tmp_path / "kernel.lock")
    allowed_to_end_when_it_returned: list[bool] = []

    def worker() -> None:
        kernel_cache.wait_until_filled()
        allowed_to_end_when_it_returned.append(go.exists())

    waiter = threading.Thread(target=worker)
    waiter.start()
    try:
        waiter.join(0.5)
        assert waiter.is_alive(), "the wait returned while the child still held the lock"
    finally:
        go.touch()  # the child ends whatever happened
    waiter.join(60)
    assert not waiter.is_alive(), "the wait went on after the child ended"
    assert allowed_to_end_when_it_returned == [True]
    assert child.wait(60) == 0


COLLECT_ONLY = """
import sys
import pytest
import tests.kernel_cache as kernel_cache
kernel_cache.start_filling = lambda *args, **kwargs: None  # only what collecting does
sys.exit(pytest.main(["--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider"]))
"""


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="no numba: nothing is compiled")
def test_collecting_the_suite_compiles_no_kernel(tmp_path: Path) -> None:
    """A test module that loads the kernel on import makes every worker compile it while it
    collects, before the cache is filled: a test loads it when it runs."""
    cache = tmp_path / "numba-cache"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", COLLECT_ONLY], cwd=CHECKOUT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    compiled = sorted(p.name for p in cache.rglob("*.nbi")) if cache.exists() else []
    assert not compiled, f"collecting the suite compiled numba code: {compiled}"

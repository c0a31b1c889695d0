"""Fixtures shared by the whole suite: the app under test, and the crafted session files."""

from __future__ import annotations

from tests import same_numbers  # noqa: F401  first: it sets numpy's environment before numpy loads

# isort: split

import atexit
import compileall
import gc
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from tests import kernel_cache
from tests.core.hostile_sessions import crafted_sessions

# The quick tier (-m "not slow"): the engine, the frame model, the render layer and the CLI's
# parsing. Besides the tests marked slow one by one (whole trainings, huge files), these are slow
# by what they run: the real app in tmux or behind a web server, and any test that starts the app
# (a Pilot test, an async test, a snapshot, the shared app of an AppThread).
SLOW_FOLDERS = ("e2e", "serve")
APP_FIXTURES = ("make_app", "snap_compare")


# The suite neither reads nor writes the person's own nnplay data (lesson progress, recovery
# files): a learner who has done a lesson's task would otherwise see the lesson pictures differ.
# Set before any test, so the processes the tests start inherit it too. The folder is the suite's
# (one per process: each xdist worker imports this file) and goes when the process ends.
SUITE_FOLDER = Path(tempfile.mkdtemp(prefix="nnplay-tests-"))
atexit.register(shutil.rmtree, SUITE_FOLDER, ignore_errors=True)
os.environ["XDG_DATA_HOME"] = str(SUITE_FOLDER / "data")
os.environ["XDG_STATE_HOME"] = str(SUITE_FOLDER / "state")
SHARE_FOLDER = SUITE_FOLDER / "share"
SHARE_FOLDER.mkdir()
# What the app writes into its current folder (s: the share line; a signal: a recovery file; the
# default session and export names): a test that runs the app in the checkout leaves it there.
CHECKOUT = Path(__file__).resolve().parents[1]
APP_WRITES = ("nnplay-*", "nnplay_*")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker per core the suite may use, and one more. A fifth of a worker's time
    goes to waiting on another process (an app in tmux, a served app, a benchmark's smoke run, pip),
    which a third worker fills: on 2 quiet cores 6 min 4 s against 7 min 19 s with two (2026-12-07)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


# The folders whose modules the processes the suite starts import: the CLI, trainer processes,
# apps in tmux or behind a web server, the benchmarks' smoke runs (hundreds of interpreters).
COMPILED_FOLDERS = ("core", "tui", "benchmarks")
KERNEL_CHILD = pytest.StashKey[subprocess.Popen[bytes] | None]()  # the child filling the kernel cache


def pytest_sessionstart(session: pytest.Session) -> None:
    """Once, in the process that starts the workers (or runs the tests itself): fill numba's cache
    of the kernel in a child, which each worker waits for before its first test (tests/kernel_cache.py);
    and where bytecode is not written on import (PYTHONDONTWRITEBYTECODE), compile the checkout's
    modules, as an import would have: else every process the suite starts compiles them again
    from source (0.25 s of CPU each to import the app)."""
    if hasattr(session.config, "workerinput"):
        return
    session.config.stash[KERNEL_CHILD] = kernel_cache.start_filling(SUITE_FOLDER / "kernel.lock", CHECKOUT)
    if sys.flags.dont_write_bytecode:
        for folder in COMPILED_FOLDERS:
            compileall.compile_dir(CHECKOUT / folder, quiet=1)


def pytest_sessionfinish(session: pytest.Session) -> None:
    child = session.config.stash.get(KERNEL_CHILD, None)
    if child is not None:
        child.wait()


# The collector as a long-lived process with many short apps wants it. Each app a test starts makes
# about a million objects, most of them young garbage; at the default 700 allocations a pass, the
# passes (full ones walking every module and collected test) were a quarter of an app's start-up CPU.
# What collection made lives to the end, so it is frozen out of every pass; young objects are then
# collected every 20,000 allocations. Nothing a test asserts depends on when garbage goes (a test
# that needs it gone calls gc.collect()).
GC_THRESHOLDS = (20_000, 10, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    kernel_cache.wait_until_filled()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent
    for item in items:
        folder = Path(item.path).relative_to(tests).parts[0]
        drives_an_app = inspect.iscoroutinefunction(getattr(item, "obj", None))  # an async test runs an app
        if folder in SLOW_FOLDERS or drives_an_app or set(APP_FIXTURES) & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def app_under_test(
    setup: Trainer | TrainConfig | None = None,
    *,
    colors: int | None = 256,
    start_worker: bool = False,
    use_kernel: bool = False,
    environ: dict[str, str] | None = None,
    **options: Any,
):
    """An ``NNPlayApp`` for a test: on ``setup`` (a trainer, or a config to make one from; None: the
    app's own default), a 256-colour terminal (None: detect it), no environment (so no SSH or
    NO_COLOR from the shell running the suite), no worker thread and no numba (importing numba in
    the background holds the GIL for a while, which timing tests would measure)."""
    from nnplay.tui.app.app import NNPlayApp

    trainer = Trainer(setup) if isinstance(setup, TrainConfig) else setup
    app = NNPlayApp(
        trainer=trainer,
        colors=colors,
        environ={} if environ is None else environ,
        start_worker=start_worker,
        use_kernel=use_kernel,
        **options,
    )
    # s (share) writes its command line to a file in the current folder: not the repository's.
    app.share_path = str(SHARE_FOLDER / "nnplay-share.txt")
    return app


@pytest.fixture(scope="session")
def make_app() -> Callable[..., Any]:
    """The app factory (``app_under_test``): ``make_app(config_or_trainer, start_worker=True, ...)``."""
    return app_under_test


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Every crafted session file, by name: (path, what its refusal must say)."""
    return crafted_sessions(tmp_path_factory.mktemp("crafted"))


def app_files_in_checkout() -> set[str]:
    return {path.name for pattern in APP_WRITES for path in CHECKOUT.glob(pattern)}


@pytest.fixture(autouse=True)
def leaves_no_app_files_in_the_checkout() -> Iterator[None]:
    """Fail a test after which the checkout holds a file the app writes that was not there before:
    the test ran the app (or a benchmark ran it) in the checkout rather than in a folder of its own."""
    before = app_files_in_checkout()
    yield
    left = sorted(app_files_in_checkout() - before)
    assert not left, (
        f"the checkout ({CHECKOUT}) has new files the app wrote: {', '.join(left)} (from this test, "
        "or one running beside it on another worker): run the app in tmp_path (cwd=, chdir, share_path)"
    )

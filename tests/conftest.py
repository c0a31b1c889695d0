"""Fixtures shared by the whole suite: the app under test, and the crafted session files."""

from __future__ import annotations

import inspect
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig
from tests.core.hostile_sessions import crafted_sessions

# The quick tier (-m "not slow"): the engine, the frame model, the render layer and the CLI's
# parsing. Besides the tests marked slow one by one (whole trainings, huge files), these are slow
# by what they run: the real app in tmux or behind a web server, and any test that starts the app
# (a Pilot test, an async test, a snapshot, the shared app of an AppThread).
SLOW_FOLDERS = ("e2e", "serve")
APP_FIXTURES = ("make_app", "snap_compare")


# The suite neither reads nor writes the person's own nnplay data (lesson progress): a learner who
# has done a lesson's task would otherwise see the lesson pictures differ. Set before any test, so
# the processes the tests start inherit it too.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="nnplay-tests-data-")


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
    return NNPlayApp(
        trainer=trainer,
        colors=colors,
        environ={} if environ is None else environ,
        start_worker=start_worker,
        use_kernel=use_kernel,
        **options,
    )


@pytest.fixture(scope="session")
def make_app() -> Callable[..., Any]:
    """The app factory (``app_under_test``): ``make_app(config_or_trainer, start_worker=True, ...)``."""
    return app_under_test


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Every crafted session file, by name: (path, what its refusal must say)."""
    return crafted_sessions(tmp_path_factory.mktemp("crafted"))

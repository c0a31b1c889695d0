"""Saving and loading the app's session from the keyboard: a path prompt, then the session.

A file is read and checked on a worker thread; the app's run changes only once all of it
is good, and a refusal is one line in the notice line.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from nnplay.core.files.session_file import SessionFileError, load_session
from nnplay.core.run.trainer import Trainer
from nnplay.tui.run.channel import AppRunCommands
from nnplay.tui.screens.path_prompt import PathPrompt
from nnplay.tui.widgets.params_panel import ParamsPanel


class FilesHost(Protocol):
    """What saving and loading use of the app (``NNPlayApp`` is one): its run channel, the file
    last used, its view, and Textual's screens, workers and notices."""

    channel: AppRunCommands
    session_path: str

    def set_view(self, **changes: Any) -> None: ...
    def push_screen(self, screen: Any, callback: Any = None) -> Any: ...
    def run_worker(
        self, work: Any, name: str | None = ..., group: str = ..., *, exclusive: bool = ..., thread: bool = ...
    ) -> Any: ...
    def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> Any: ...
    def notify(self, message: str, **options: Any) -> None: ...
    def query_one(self, selector: Any) -> Any: ...


def ask_to_save(app: FilesHost, saved: Callable[[str, Future[int]], object] | None = None) -> None:
    """Ask for a path (the last one used is offered) and save the session there. The outcome is a
    notice; or, with ``saved``, it gets the path and the save's reply (the step saved, or the error) to report."""

    def chosen(path: str | None) -> None:
        if path:
            app.session_path = path
            if saved is None:
                app.channel.save(path)
            else:
                reply: Future[int] = Future()
                app.channel.save(path, reply)
                saved(path, reply)

    app.push_screen(PathPrompt("Save session to", app.session_path), chosen)


def ask_to_load(app: FilesHost) -> None:
    """Ask for a path and load the session from it."""

    def chosen(path: str | None) -> None:
        if path:
            load_in_background(app, path)

    app.push_screen(PathPrompt("Load session from", app.session_path), chosen)


def load_in_background(app: FilesHost, path: str) -> None:
    """Read and check ``path`` off the UI thread, then hand the new run to the app."""

    def load() -> None:
        try:
            trainer = load_session(path)
        except SessionFileError as exc:
            app.call_from_thread(app.notify, f"not loaded: {exc}", severity="error", timeout=12)
            return
        except Exception as exc:  # load_session says everything in one line; this keeps the app up regardless
            app.call_from_thread(app.notify, f"not loaded: {path}: {type(exc).__name__}", severity="error")
            return
        app.call_from_thread(loaded, app, path, trainer)

    app.run_worker(load, thread=True, exclusive=True, group="load", name="load")


def loaded(app: FilesHost, path: str, trainer: Trainer) -> None:
    """Put the loaded run in place: the panel takes its settings first, so should that fail,
    the running run is untouched."""
    app.query_one(ParamsPanel).load_config(trainer.config)
    app.session_path = path
    app.set_view(classified=None)
    app.channel.replace(trainer)
    app.notify(f"loaded {path} at step {trainer.step_count:,}")

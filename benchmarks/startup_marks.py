"""``nnplay`` as ``python -m nnplay.tui.cli`` runs it, noting when each stage of its start-up ends.

    python benchmarks/startup_marks.py MARKS_FILE [nnplay's arguments]

bench_startup.py launches the app through this file. It wraps a few of the app's methods to note
the wall clock (``time.time()``, comparable with the launching process's) when each stage is
reached, and appends them to MARKS_FILE as one JSON object when the app exits. The wrappers
only read the clock; the app runs unchanged.
"""

from __future__ import annotations

import time

STARTED = time.time()  # the interpreter is up: the first line of this file runs

import functools  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

marks: dict[str, float] = {"python": STARTED}


def mark(name: str) -> None:
    marks.setdefault(name, time.time())


def wrap(cls: type, name: str, before: str | None = None, after: str | None = None) -> None:
    """Mark ``before`` as ``cls.name`` is first entered and ``after`` as it first returns."""
    original = getattr(cls, name)

    @functools.wraps(original)  # Textual passes a handler the arguments its signature takes
    def wrapped(self, *args, **kwargs):
        if before:
            mark(before)
        result = original(self, *args, **kwargs)
        if after:
            mark(after)
        return result

    setattr(cls, name, wrapped)


def hook() -> None:
    """Wrap the app's stages; raises AttributeError or ImportError when one is no longer there."""
    # The command's modules (numpy, nnplay's engine), then the app's (Textual, Rich, the widgets).
    # `nnplay` forks its first trainer process before it imports the app's (tui/cli/open_app.py),
    # and takes the run over once they are imported (first_run): the app's stages are wrapped
    # there, so the fork comes before Textual's imports as it does in `nnplay`, and the imports,
    # the fork among them, are timed as one stage. (A version of nnplay that built the trainer in
    # the app's process had no first_run: its app's modules are imported here first.)
    import nnplay.tui.cli.entry  # noqa: F401
    import nnplay.tui.cli.open_app as open_app

    if not hasattr(open_app, "first_run"):
        gc.disable()  # as `nnplay` has it while it imports the app
        hook_app()
        return
    first_run = open_app.first_run

    def taking_over(forked):
        hook_app()
        return first_run(forked)

    open_app.first_run = taking_over


def hook_app() -> None:
    import nnplay.tui.app.startup as startup_module
    from nnplay.tui.app.app import NNPlayApp
    from nnplay.tui.app.frame_pipeline import FramePipeline
    from nnplay.tui.widgets.params_panel import ParamsPanel

    mark("imports")
    wrap(NNPlayApp, "__init__", before="trainer built")  # flags parsed, trainer and data made
    compose = NNPlayApp.compose

    def composing(self):
        mark("textual started")  # driver, stylesheet, screen: Textual's own start
        yield from compose(self)

    NNPlayApp.compose = composing
    wrap(NNPlayApp, "on_mount", before="composed")  # the widgets are made and mounted
    wrap(NNPlayApp, "action_toggle_run", before="space handled")
    draw = FramePipeline.draw

    def drawing(self, view, screen):
        mark("first layout")  # the first draw runs after the panes are composed: they have sizes
        view, frame = draw(self, view, screen)
        if frame is not None and frame.box is not None:
            mark("first frame")  # the frame built and handed to the panes
            if frame.snapshot.step > 0:
                mark("first step drawn")  # a run started (bench_startup.py --space)
        return view, frame

    FramePipeline.draw = drawing
    build = ParamsPanel.build

    async def building(self, *args, **kwargs) -> None:
        mark("panel begun")
        await build(self, *args, **kwargs)
        mark("panel composed")

    ParamsPanel.build = building
    freeze = startup_module.freeze_startup_objects

    def freezing() -> None:
        mark("panel laid out")  # after the refresh that followed the panel's fields
        freeze()

    startup_module.freeze_startup_objects = freezing


def main() -> int:
    out, argv = sys.argv[1], sys.argv[2:]
    try:
        hook()
    except (AttributeError, ImportError) as error:  # the app changed: say which stage is gone
        with open(out, "a") as f:
            f.write(json.dumps({"error": f"startup_marks.py cannot hook the app: {error}"}) + "\n")
        return 1
    import nnplay.tui.cli.entry as cli

    try:
        return cli.main(argv)
    finally:
        with open(out, "a") as f:
            f.write(json.dumps(marks) + "\n")


if __name__ == "__main__":
    sys.exit(main())

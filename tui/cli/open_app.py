"""``nnplay`` with no command: the app (or the compare app) in this terminal."""

from __future__ import annotations

import argparse
import gc
import os
from typing import TYPE_CHECKING

from nnplay.tui.cli.arguments import UsageError, build_trainer

if TYPE_CHECKING:
    from nnplay.tui.run.forked_trainer import ForkedTrainer
    from nnplay.tui.run.trainer_process import TrainerProcess


def require_terminal() -> None:
    """Refuse, after the flags are checked, to open the app without a terminal to run in."""
    from nnplay.tui.terminal.driver import missing_terminal

    problem = missing_terminal()
    if problem:
        raise UsageError(problem)


def app_command(args: argparse.Namespace) -> int:
    if args.compare is not None:  # given empty, it is refused, not ignored
        return compare_command(args)
    # No collections while the app starts: its ~120k objects live as long as it does, and passes
    # over them were ~15% of the start-up's CPU. Once it is up, freeze_startup_objects
    # (tui/app/startup.py) collects once, freezes them and turns the collector back on.
    gc.disable()
    # The child's modules (numpy, the engine, the run channel; no Textual) before the fork, so it shares them.
    from nnplay.tui.run.channel import fps_for_environment
    from nnplay.tui.run.forked_trainer import can_fork, fork_trainer

    fps = fps_for_environment(args.fps, dict(os.environ))[0]
    # The first trainer child is forked now, before Textual is imported (and with it, threads):
    # it builds the run while this process imports the app (tui/run/forked_trainer.py).
    forked = fork_trainer(lambda: build_trainer(args), fps, refused=UsageError) if can_fork() else None
    trainer = None if forked else build_trainer(args)  # a process with threads: a fresh interpreter's child
    try:
        from nnplay.tui.app.app import NNPlayApp
        from nnplay.tui.terminal.signals import run_standalone

        channel = None if forked is None else first_run(forked)
        require_terminal()
    except BaseException:
        if forked is not None:
            forked.close()
        raise
    app = NNPlayApp(
        trainer=trainer,
        channel=channel,
        fps=args.fps,
        use_kernel=args.engine != "numpy",
        standalone=True,
        cell_aspect=args.cell_aspect,
        trainer_process=True,
    )
    try:
        return run_standalone(app, app.channel)  # a signal or the end of input exits as q does, keeping the run
    finally:
        app.channel.close()  # after the recovery save, which asks the child


def first_run(forked: ForkedTrainer) -> TrainerProcess:
    """The forked child's run, once it has sent its first snapshot; the flags' fault in one line."""
    from nnplay.tui.run.forked_trainer import RunRefused

    try:
        return forked.process()
    except RunRefused as exc:
        raise UsageError(str(exc)) from None


def compare_command(args: argparse.Namespace) -> int:
    """``nnplay --compare``: the compare app, its two runs in fresh interpreters' children."""
    trainer = build_trainer(args)
    from nnplay.tui.screens.compare_screen import CompareApp, comparison_or_error

    try:
        comparison = comparison_or_error(trainer.config, args.compare)
    except ValueError as exc:
        raise UsageError(f"argument --compare: {exc}") from None
    require_terminal()
    from nnplay.tui.terminal.signals import run_standalone

    return run_standalone(CompareApp(comparison, fps=args.fps or 15.0, trainer_process=True), None)

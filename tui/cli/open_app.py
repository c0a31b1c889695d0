"""``nnplay`` with no command: the app (or the compare app) in this terminal."""

from __future__ import annotations

import argparse
import gc

from nnplay.tui.cli.arguments import UsageError, build_trainer


def require_terminal() -> None:
    """Refuse, after the flags are checked, to open the app without a terminal to run in."""
    from nnplay.tui.terminal.driver import missing_terminal

    problem = missing_terminal()
    if problem:
        raise UsageError(problem)


def app_command(args: argparse.Namespace) -> int:
    trainer = build_trainer(args)
    if args.compare is not None:  # given empty, it is refused, not ignored
        from nnplay.tui.screens.compare_screen import CompareApp, comparison_or_error

        try:
            comparison = comparison_or_error(trainer.config, args.compare)
        except ValueError as exc:
            raise UsageError(f"argument --compare: {exc}") from None
        require_terminal()
        from nnplay.tui.terminal.signals import run_standalone

        return run_standalone(CompareApp(comparison, fps=args.fps or 15.0, trainer_process=True), None)
    require_terminal()
    # No collections while the app starts: its ~120k objects live as long as it does, and passes
    # over them were ~15% of the start-up's CPU. Once it is up, freeze_startup_objects
    # (tui/app/startup.py) collects once, freezes them and turns the collector back on.
    gc.disable()
    from nnplay.tui.app.app import NNPlayApp
    from nnplay.tui.terminal.signals import run_standalone

    app = NNPlayApp(
        trainer=trainer,
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

"""The ``nnplay`` command: the app by default, ``nnplay train`` headless, and the other commands.

Textual and Rich are imported only by the paths that draw something, so
``nnplay train --json`` starts with numpy alone.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from nnplay.core.io.output_file import shown_path
from nnplay.core.io.outside_text import printable
from nnplay.tui.cli.arguments import EXIT_USAGE, UsageError
from nnplay.tui.cli.export import export_command
from nnplay.tui.cli.open_app import app_command, require_terminal
from nnplay.tui.cli.parser import build_parser
from nnplay.tui.cli.serve import serve_command
from nnplay.tui.cli.train import train_command


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from nnplay.core.settings.memory_budget import DEFAULT_MEMORY_LIMIT, set_memory_limit

    set_memory_limit(getattr(args, "memory_limit", None) or DEFAULT_MEMORY_LIMIT)
    try:
        if args.command == "train":
            return train_command(args)
        if args.command == "serve":
            return serve_command(args)
        if args.command == "export":
            return export_command(args)
        if args.command == "lessons":
            from nnplay.tui.cli.lessons import check_command, list_command

            return check_command() if args.check else list_command()
        if args.command == "lesson":
            require_terminal()
            from nnplay.tui.cli.lessons import lesson_app_command

            return lesson_app_command(args)
        if args.command == "landscape":
            from nnplay.tui.cli.landscape import landscape_command

            return landscape_command(args)
        if args.command == "screenshots":
            from nnplay.tui.cli.screenshots import ScreenshotsError, save_screenshots

            try:
                paths = save_screenshots(args.out)
            except ScreenshotsError as exc:
                raise UsageError(f"argument --out: {exc}") from None
            except OSError as exc:  # the disk refused one after the checks (full, gone)
                raise UsageError(f"argument --out: cannot write ({exc.strerror or exc})") from None
            for path in paths:
                print(shown_path(path))
            return 0
        return app_command(args)
    except UsageError as exc:
        prog = f"nnplay {args.command}" if args.command else "nnplay"
        print(f"{prog}: error: {printable(str(exc))}", file=sys.stderr)  # it may quote a path or a file
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def entry_point() -> None:
    from nnplay.tui.cli.output_stream import run_with_checked_output

    sys.exit(run_with_checked_output(main))


if __name__ == "__main__":
    entry_point()

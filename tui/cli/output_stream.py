"""The command's standard output, whose failures end it with one line and a status, never a traceback.

A reader that went away (``nnplay train --json | head``) ends it quietly with 141, as SIGPIPE
would; a character the output's encoding cannot hold is written as an escape; a full disk or
an I/O error (``>/dev/full``) says so on stderr and exits 1; standard output closed before the
start (``>&-``) is refused before any work. Both leave the process with nothing buffered for
the interpreter's own flush at exit to fail on again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

EXIT_OUTPUT_FAILED = 1  # as for a save the disk refused: the output could not be written
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command killed by it


class OutputError(Exception):
    """Standard output refused a write (not a closed pipe): the reason is the OSError's."""


class CheckedOutput:
    """A text stream whose write errors become OutputError (BrokenPipeError stays itself)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def run_with_checked_output(main: Callable[[], int], prog: str = "nnplay") -> int:
    """``main()``'s status, with standard output's failures turned into a status and one line."""
    if sys.stderr is None:  # stderr closed: print(file=None) would write the errors to stdout
        sys.stderr = open(os.devnull, "w")  # the process's stderr from now to its end
    if sys.stdout is None:  # fd 1 was closed at the start (>&-): nothing the command prints could be seen
        print(f"{prog}: error: standard output is closed; nothing can be written to it", file=sys.stderr)
        return EXIT_OUTPUT_FAILED
    stream = sys.stdout
    if hasattr(stream, "reconfigure"):
        # A character the output's encoding lacks (PYTHONIOENCODING=ascii, a Latin-1 terminal) is
        # spelled out as an escape, not a UnicodeEncodeError halfway through the output.
        stream.reconfigure(errors="backslashreplace")
    sys.stdout = CheckedOutput(stream)  # type: ignore[assignment]
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        code = EXIT_BROKEN_PIPE
    except OutputError as exc:
        _say(f"{prog}: error: cannot write to standard output ({exc})")
        code = EXIT_OUTPUT_FAILED
    else:
        return code
    finally:
        sys.stdout = stream
    _discard_stdout()
    return code


def _discard_stdout() -> None:
    """Point fd 1 at /dev/null, so what is still buffered is dropped at exit instead of failing again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr)
    except OSError:
        pass  # stderr refuses too: the status is all that is left

"""Opening a file nnplay reads (a session, a CSV, its own lesson progress): a regular file, no
larger than a limit, opened without ever blocking.

A FIFO blocks whoever opens it until a writer comes, a device (``/dev/zero``) never ends, a
symlink can lead to either, and a file can change between a look and an open. So the kind and
the size are checked before opening (an oversized file is never opened), the open does not wait
(``O_NONBLOCK``), the same checks run on the open file (what is read is what was checked), and
``read_bounded`` stops at the limit whatever the size said. A symlink to a regular file is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import BinaryIO, TypeVar

T = TypeVar("T")

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class FileRefused(ValueError):
    """A file is not read; the message says why in one line, without the path (the caller names it)."""


class MissingFile(FileRefused):
    """There is no file at the path (for a file of nnplay's own, not a problem: nothing kept yet)."""


def open_bounded(path: str | os.PathLike[str], max_bytes: int) -> BinaryIO:
    """The regular file at ``path`` opened for reading, if it holds at most ``max_bytes`` bytes."""
    where = os.fspath(path)
    _check(_asked(os.stat, where), max_bytes)
    fd = _asked(os.open, where, _OPEN_FLAGS)
    try:
        _check(os.fstat(fd), max_bytes)  # what was opened may not be what was looked at
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path``; FileRefused when it is not one or holds more than ``max_bytes``."""
    with open_bounded(path, max_bytes) as fh:
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise FileRefused(f"cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise FileRefused(f"grew past the {max_bytes:,}-byte limit while it was read")
    return data


def _asked(call: Callable[..., T], *args: object) -> T:
    """``call(*args)`` with the file system's refusals said in one line."""
    try:
        return call(*args)
    except FileNotFoundError:
        raise MissingFile("no such file") from None
    except OSError as exc:
        raise FileRefused(f"cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:  # a NUL in the name
        raise FileRefused(f"not a usable path ({exc})") from None


def _check(info: os.stat_result, max_bytes: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused("not a regular file (a FIFO, device or socket)")
    if info.st_size > max_bytes:
        raise FileRefused(f"{info.st_size:,} bytes is larger than the {max_bytes:,}-byte limit")

"""Every file nnplay writes goes through here: checked before any work, then written atomically.

``write_problem(path, inputs)`` says why a write to ``path`` would fail or do harm, before the
work that produces the file is done; ``atomic_write(path, payload, inputs)`` checks again and
writes. The rules, in this one place:

- the name: not empty, no NUL, encodable as a file name (``os.fsencode``: a name that is not
  UTF-8 arrives from the command line as surrogate escapes and goes back to the same bytes),
  each part at most 255 bytes, and not a folder's name (``dir/``, ``.``, ``..``);
- the target: absent or a regular file (after symlinks), never a folder, device, FIFO or socket;
- not one of the files being read (``inputs``: same device and inode, so through symlinks and
  hard links too): an export onto its own session would destroy what it exports; nor the file
  this process's standard output or error goes to (``--save /dev/stdout >file``);
- the folder exists and is writable (a real temporary file is made there and removed);
- the write goes to a temporary file in the same folder, is fsynced, then renamed over the
  target, so readers see the old file or the new one, never half, and a crash leaves the old one.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no locks, so stale temporary files are left alone
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tmp"
MAX_NAME_BYTES = 255  # a file name (one path component) on every common file system

PathName = str | os.PathLike[str]


def shown_path(path: PathName) -> str:
    """``path`` as text safe to print: as it is when every character is printable, else its
    ``repr`` (control characters, newlines and the escapes of non-UTF-8 bytes spelled out)."""
    text = os.fspath(path)
    return text if text.isprintable() else repr(text)


def write_problem(path: PathName, inputs: Iterable[PathName] = ()) -> str | None:
    """Why a write to ``path`` would fail or destroy an input, found before any work (None: go ahead)."""
    raw = os.fspath(path)
    if not raw:
        return "no file name given"
    if "\0" in raw:
        return "the name holds a NUL character"
    try:
        os.fsencode(raw)
    except UnicodeError:
        return "the name is not text a file name can hold"
    if raw.endswith(os.sep) or os.path.basename(raw) in (".", ".."):
        return "names a folder (it ends in a separator, '.' or '..'); give a file name"
    try:
        target = Path(os.path.realpath(raw))
    except (OSError, ValueError) as exc:
        return f"not a usable path ({exc})"
    for part in target.parts:
        if len(os.fsencode(part)) > MAX_NAME_BYTES:
            return f"a name in the path is longer than {MAX_NAME_BYTES} bytes"
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return f"cannot look at it ({exc.strerror})"
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            return "is a folder; give a file name"
        if not stat.S_ISREG(info.st_mode):
            return "is not a regular file (a device, FIFO or socket); give a file name"
        for source in inputs:
            if _same_file(info, source):
                return f"is the file being read ({shown_path(source)}); writing it would destroy it: give another name"
        for fd, stream in ((1, "standard output"), (2, "standard error")):
            if _same_file(info, fd):
                return f"is this command's {stream} (replacing it would lose what is printed); give another name"
    folder = target.parent
    if not folder.is_dir():
        return f"folder {str(folder)!r} does not exist"
    try:
        fd, probe = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        return f"cannot write in folder {str(folder)!r} ({exc.strerror})"
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError:
        pass
    return None


def _same_file(info: os.stat_result, source: PathName | int) -> bool:
    """Whether ``source`` (a path, or a file descriptor of this process) is the file ``info`` describes."""
    try:
        other = os.fstat(source) if isinstance(source, int) else os.stat(source)
    except (OSError, ValueError):
        return False
    return (info.st_dev, info.st_ino) == (other.st_dev, other.st_ino)


def same_target(a: PathName, b: PathName) -> bool:
    """Whether writing ``a`` and writing ``b`` would write one file (a symlink or a hard link apart)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False  # one of them does not exist yet: different names, different files


def atomic_write(path: PathName, payload: bytes, inputs: Iterable[PathName] = ()) -> None:
    """Write ``payload`` to ``path`` so that readers see the old file or the new one, never half.

    ``write_problem`` is checked first (a refusal raises OSError with its reason). A symlink is
    written through (its target is replaced, so the link keeps pointing at the new content). The
    temporary file is removed on every failure; ones left by a killed save are swept first."""
    problem = write_problem(path, inputs)
    if problem:
        raise OSError(errno.EINVAL, problem, os.fspath(path))
    target = Path(os.path.realpath(path))
    folder = target.parent
    _sweep_stale_temps(target)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            _lock(fh.fileno())  # held while writing: a sweep by another save leaves this file alone
            # mkstemp makes the file 0600; give it the mode a plain open() would (or the mode of
            # the file it replaces), so an export meant for sharing is readable by others.
            os.fchmod(fh.fileno(), _mode_for(target))
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
            os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)


def _temp_prefix(target: Path) -> str:
    """``.NAME.`` with NAME cut so that the temporary name (prefix, 8 random characters, .tmp) fits 255 bytes.

    Cut as bytes, and kept as bytes (``os.fsdecode`` gives them back exactly, a character cut in
    two included), so any name the file system allows has a temporary name that fits."""
    room = MAX_NAME_BYTES - 2 - 8 - len(TEMP_SUFFIX)
    name = os.fsdecode(os.fsencode(target.name)[:room])
    return f".{name}."


def _sweep_stale_temps(target: Path) -> None:
    """Remove temporary files of earlier saves to ``target`` whose writer is gone (killed mid-save).

    A live writer holds a lock on its file; only files nobody holds are removed."""
    prefix = _temp_prefix(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        middle = name[len(prefix) : -len(TEMP_SUFFIX)]
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX) and len(middle) == 8):
            continue
        if not all(c.isalnum() or c == "_" for c in middle):  # mkstemp's alphabet
            continue
        stale = target.parent / name
        try:
            fd = os.open(stale, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode) and _try_lock(fd):
                os.unlink(stale)
        except OSError:
            pass
        finally:
            os.close(fd)


def _lock(fd: int) -> None:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # a file system without locks: the save still works


def _try_lock(fd: int) -> bool:
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (a crash right after could otherwise lose the new name)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the file itself is already synced
    finally:
        os.close(fd)


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
        os.umask(mask)
        return 0o666 & ~mask

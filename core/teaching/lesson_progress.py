"""Which lesson tasks are done, kept in ``$XDG_DATA_HOME/nnplay/lessons.json``.

Never required: a missing, unreadable, malformed or unwritable file leaves the progress in
memory only (``problem`` says why, once), and the lessons work the same. It is read as any small
file of nnplay's own (``core/bounded_read``): a regular file of at most ``MAX_PROGRESS_BYTES``, so a
FIFO, a device or a huge file put in its place is "no progress yet", never a hang or a gigabyte.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from nnplay.core.files.session_file import atomic_write
from nnplay.core.io.bounded_read import FileRefused, MissingFile, read_bounded

FORMAT = "nnplay-lessons"
# Every task of every lesson done is a few kilobytes; anything far past that is not this file.
MAX_PROGRESS_BYTES = 64 * 1024


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    """The XDG data home's nnplay/lessons.json (``~/.local/share`` when XDG_DATA_HOME is unset or relative)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_DATA_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path(environ.get("HOME") or Path.home()) / ".local" / "share"
    return root / "nnplay" / "lessons.json"


class Progress:
    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.problem: str | None = None
        self._done: dict[str, set[str]] = self._read()

    def _read(self) -> dict[str, set[str]]:
        try:
            data = json.loads(read_bounded(self.path, MAX_PROGRESS_BYTES).decode("utf-8"))
        except MissingFile:
            return {}
        except (FileRefused, UnicodeDecodeError, ValueError, RecursionError) as exc:
            self.problem = f"lesson progress not read from {self.path}: {exc}; starting with none done"
            return {}
        done = data.get("done") if isinstance(data, dict) else None
        if not isinstance(done, dict):
            self.problem = f"lesson progress not read from {self.path}: not an {FORMAT} file; starting with none done"
            return {}
        return {
            str(lesson): {t for t in tasks if isinstance(t, str)}
            for lesson, tasks in done.items()
            if isinstance(tasks, list)
        }

    def done(self, lesson: str) -> frozenset[str]:
        return frozenset(self._done.get(lesson, ()))

    def mark(self, lesson: str, task: str) -> bool:
        """Record a task as done; True when it was not done before. Saves at once when it can."""
        tasks = self._done.setdefault(lesson, set())
        if task in tasks:
            return False
        tasks.add(task)
        self._save()
        return True

    def _save(self) -> None:
        payload = {"format": FORMAT, "done": {k: sorted(v) for k, v in sorted(self._done.items())}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, (json.dumps(payload, indent=1) + "\n").encode())
        except OSError as exc:
            self.problem = f"lesson progress kept in memory only: cannot write {self.path} ({exc.strerror or exc})"

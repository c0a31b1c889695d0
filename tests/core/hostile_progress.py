"""Files put where nnplay keeps its lesson progress, one per way such a file can be odd: shared by
the engine, CLI and app tests (a new case is a line).

``odd_progress_files(folder)`` -> name -> the path of ``nnplay/lessons.json`` under its own data
folder (``path.parents[1]``, for ``XDG_DATA_HOME``). The cheap cases come first, so that a reader
which fails on one fails before it meets the endless ones.
"""

from __future__ import annotations

import os
from pathlib import Path


def odd_progress_files(folder: Path, *, huge: bool = False) -> dict[str, Path]:
    files: dict[str, Path] = {}

    def place(name: str) -> Path:
        path = folder / name / "nnplay" / "lessons.json"
        path.parent.mkdir(parents=True)
        files[name] = path
        return path

    place("nested-100000").write_text("[" * 100_000)  # json's parser recurses once per bracket
    place("nested-60000").write_text('{"done": {"circle": ' + "[" * 60_000)  # under the size cap
    place("terminal-text").write_text('{"done": "\x1b]0;PWNED\x07"}')
    place("folder").mkdir()
    place("megabyte").write_text('{"done": {}}' + " " * 1024 * 1024)  # valid JSON, far past any real one
    os.mkfifo(place("fifo"))  # opening it waits for a writer
    place("dev-zero").symlink_to("/dev/zero")  # never ends
    if huge:
        with open(place("700-mb"), "wb") as fh:  # sparse: costs no disk, 700 MB to whoever reads it
            fh.truncate(700 * 1024 * 1024)
    return files

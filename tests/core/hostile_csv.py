"""CSV files that cost whoever reads them, one per way: shared by the engine, CLI and app tests (a
new case is a line). ``hostile_csv_files(folder)`` -> name -> (path, words the refusal must hold);
``huge=True`` adds the 50 MB ones (for the memory tests, marked slow).
"""

from __future__ import annotations

from pathlib import Path

ROWS = "x,y,label\n0,0,0\n1,1,1\n2,0.5,0\n"


def hostile_csv_files(folder: Path, *, huge: bool = False) -> dict[str, tuple[Path, str]]:
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, content: str | bytes, reason: str) -> None:
        path = folder / f"{name}.csv"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        files[name] = (path, reason)

    put("long-first-line", "😀," * 25_000 + "\n" + ROWS, "line 1: longer than 65,536 bytes")
    put("long-line-later", ROWS + "1," * 40_000 + "1\n", "line 5: longer than 65,536 bytes")
    put("long-line-no-end", ROWS + "1" * 70_000, "line 5: longer than 65,536 bytes")
    put("comments", "#\n" * 100_001 + ROWS, "line 100001: more than 100000 comment lines")
    put("blank-lines", "\n" * 1_000_000, "0 data row(s)")
    put("terminal-text", "x\x1b]0;PWNED\x07,y,label\n0,0,0\n\x1b[2J,1,1\n", r"x value '\x1b[2J' is not a number")
    if huge:
        put("one-line-50mb", "😀," * 10_000_000, "line 1: longer than 65,536 bytes")
        put("blank-lines-50mb", b"\n" * 50_000_000, "0 data row(s)")
        put("spaces-50mb", b" \t\r\n" * 12_500_000, "0 data row(s)")
    return files

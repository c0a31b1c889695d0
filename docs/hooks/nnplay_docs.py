"""MkDocs hook: the parts of the documentation the code already says, generated from the code.

Blocks kept in the pages, filled at build time and by ``python docs/hooks/nnplay_docs.py``
(which rewrites the pages, so they read right on GitHub too; ``tests/test_docs.py`` fails
when a committed block differs from what the code makes):

- ``<!-- nnplay:keys -->`` ... ``<!-- /nnplay:keys -->``: the key table of ``tui/keys/key_table.py``
  (the app's bindings, palette and help come from it too).
- ``<!-- nnplay:settings -->`` ... ``<!-- /nnplay:settings -->``: every setting of
  ``core/settings/config.py`` (``FIELDS``) with its flag, range and default.

Markers filled at build time only:

- ``<!-- nnplay:cli -->``: ``nnplay --help`` and every command's ``--help``, from the argument
  parser in ``tui/cli/parser.py`` (``build_parser``), as the Python that builds the site prints them.
- ``<!-- nnplay:architecture -->``: ``ARCHITECTURE.md``, the code's map.

And the pictures: ``screenshots/*.svg`` (made by ``nnplay screenshots``) are published at
``screenshots/`` beside the pages, from the one folder the README uses too.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
HELP_COLUMNS = "100"  # argparse wraps to $COLUMNS: a fixed width keeps the page the same everywhere


def cli_reference() -> str:
    from nnplay.tui.cli.parser import build_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        parser = build_parser()
        parts = [("nnplay", parser)]
        for action in parser._actions:  # argparse keeps its subcommands here and nowhere public
            if isinstance(action, argparse._SubParsersAction):
                parts += [(f"nnplay {name}", sub) for name, sub in action.choices.items()]
        sections = [f"## `{name}`\n\n```text\n{sub.format_help().rstrip()}\n```\n" for name, sub in parts]
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(sections)


def key_table() -> str:
    from nnplay.tui.keys.key_table import markdown_table

    return markdown_table()


def settings_table() -> str:
    from nnplay.core.settings.config import FIELDS
    from nnplay.core.settings.presets import DEFAULT_PRESET, PRESETS
    from nnplay.tui.flags.flag_table import FIELD_FLAGS
    from nnplay.tui.flags.share_line import flag_text

    defaults = PRESETS[DEFAULT_PRESET].config()
    rows = [
        f"| setting | flag | what it is | allowed | applies | without `--preset` ({DEFAULT_PRESET}) |",
        "|---|---|---|---|---|---|",
    ]
    for name, field in FIELDS.items():
        value = getattr(defaults, name)
        shown = "" if value is None else f"`{flag_text(name, value)}`"
        flag = f"`{FIELD_FLAGS[name]}`" if name in FIELD_FLAGS else ""
        applies = "at once" if field.live else "on `r` (a new network)"
        allowed = field.allowed().replace("|", "\\|")
        rows.append(f"| {name} | {flag} | {field.help} | {allowed} | {applies} | {shown} |")
    return "\n".join(rows)


def architecture() -> str:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return text.split("\n", 1)[1]  # the page has its own title


BLOCKS = {"keys": key_table, "settings": settings_table}
MARKERS = {"<!-- nnplay:cli -->": cli_reference, "<!-- nnplay:architecture -->": architecture}
BLOCK = re.compile(r"(<!-- nnplay:(\w+) -->\n)(.*?)(<!-- /nnplay:\2 -->)", re.S)


def filled(markdown: str) -> str:
    """``markdown`` with every block's content made again from the code."""
    return BLOCK.sub(lambda m: f"{m.group(1)}\n{BLOCKS[m.group(2)]().strip()}\n\n{m.group(4)}", markdown)


def on_page_markdown(markdown: str, **_) -> str:
    markdown = filled(markdown)
    for marker, make in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown


def on_files(files: Files, config, **_) -> Files:
    for svg in sorted((ROOT / "screenshots").glob("*.svg")):
        files.append(
            File(
                f"screenshots/{svg.name}",
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files


def write_blocks() -> list[Path]:
    """Fill the blocks of every page under docs/; the pages that changed."""
    changed = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if filled(text) != text:
            page.write_text(filled(text), encoding="utf-8")
            changed.append(page)
    return changed


if __name__ == "__main__":
    for page in write_blocks():
        print(f"rewrote {page.relative_to(ROOT)}")

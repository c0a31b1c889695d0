"""MkDocs hook: the parts of the documentation the code already says, generated at build time.

- ``<!-- nnplay:cli -->``: ``nnplay --help`` and every command's ``--help``, from the argument
  parser in ``tui/cli.py`` (``build_parser``), so the reference cannot drift from the flags.
- ``<!-- nnplay:keys -->``: the key table of ``tui/keys.py`` (the app's bindings and its help).
- ``<!-- nnplay:settings -->``: every setting of ``core/config.py`` (``FIELDS``) with its flag,
  range and default.
- ``<!-- nnplay:architecture -->``: ``ARCHITECTURE.md``, the code's map.
- the pictures: ``screenshots/*.svg`` (made by ``nnplay screenshots``) are published at
  ``screenshots/`` beside the pages, from the one folder the README uses too.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
HELP_COLUMNS = "100"  # argparse wraps to $COLUMNS: a fixed width keeps the page the same everywhere


def cli_reference() -> str:
    from nnplay.tui.cli import build_parser

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
    from nnplay.tui.keys import markdown_table

    return markdown_table()


def settings_table() -> str:
    from nnplay.core.config import FIELDS
    from nnplay.core.presets import DEFAULT_PRESET, PRESETS
    from nnplay.tui.flags import FIELD_FLAGS
    from nnplay.tui.share import flag_text

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


GENERATED = {
    "<!-- nnplay:cli -->": cli_reference,
    "<!-- nnplay:keys -->": key_table,
    "<!-- nnplay:architecture -->": architecture,
    "<!-- nnplay:settings -->": settings_table,
}


def on_page_markdown(markdown: str, **_) -> str:
    for marker, make in GENERATED.items():
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

"""The README and the documentation site: short, true to the code, and built without a warning."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from nnplay.tui.cli.screenshots import SHOTS
from nnplay.tui.keys.key_table import DIAGRAM_KEYS, KEYS, OTHER_KEYS, markdown_table

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_LIMIT = 12 * 1024
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)#]+)(?:#[^)]*)?\)")


def _hook():
    spec = importlib.util.spec_from_file_location("nnplay_docs", DOCS / "hooks" / "nnplay_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md")), ROOT / "CONTRIBUTING.md"]


def test_the_readme_reads_in_two_minutes() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md is {size:,} bytes; the limit is {README_LIMIT:,}: move detail into docs/"


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    readme = README.read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "python -m pytest" in line and "venv" in line)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci, (command, ci)


def test_every_picture_is_one_nnplay_screenshots_makes() -> None:
    made = {Path("screenshots") / f"{s.name}.svg" for s in SHOTS}
    for page in _pages():
        # The site publishes ROOT/screenshots at its own root (the docs hook), beside the pages.
        base = DOCS if page.is_relative_to(DOCS) else ROOT
        for target in IMAGE.findall(page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve()
            assert path.is_relative_to(base) and path.relative_to(base) in made, (page.name, target)


def test_every_relative_link_of_the_readme_and_contributing_leads_somewhere() -> None:
    for page in (README, ROOT / "CONTRIBUTING.md"):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), (page.name, target)


def test_the_readmes_keys_are_keys_of_the_app() -> None:
    readme = README.read_text(encoding="utf-8")
    table = readme.split("## The main keys", 1)[1].split("\n## ", 1)[0]
    shown = {k.shown for k in KEYS + DIAGRAM_KEYS} | {key for key, _ in OTHER_KEYS}
    shown |= {part for key in list(shown) for part in re.split(r"[ /,]+", key)} | {"[", "]"}
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) >= 10
    for row in rows:
        for key in re.findall(r"`([^`]+)`", row.split("|")[1]):
            for part in re.split(r"\s+|\.\.", key) if key not in shown else [key]:
                assert part in shown or part.isdigit(), (key, row)


def test_the_generated_pages_carry_the_codes_tables() -> None:
    hook = _hook()
    assert markdown_table() in (DOCS / "guide" / "keys.md").read_text(encoding="utf-8")
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert hook.filled(text) == text, (
            f"{page.name} is not what the code says now: run python docs/hooks/nnplay_docs.py"
        )
    reference = hook.cli_reference()
    for command in (
        "## `nnplay`",
        "## `nnplay train`",
        "## `nnplay export`",
        "## `nnplay serve`",
        "## `nnplay lessons`",
        "## `nnplay screenshots`",
    ):
        assert command in reference, command
    from nnplay.tui.flags.flag_table import FLAG_FIELDS

    assert all(flag in reference for flag in FLAG_FIELDS), "a flag is missing from the CLI reference"
    settings = hook.settings_table()
    from nnplay.core.settings.config import FIELDS

    assert all(f"| {name} |" in settings for name in FIELDS)


def test_nnplay_version_is_the_packages() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "nnplay.tui.cli", "--version"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"nnplay {version('nnplay')}"


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    out = _build(ROOT, tmp_path / "site")
    assert out.returncode == 0, out.stderr[-3000:]
    site = tmp_path / "site"
    assert (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8").count("--preset") >= 3
    assert {p.name for p in (site / "screenshots").glob("*.svg")} == {f"{s.name}.svg" for s in SHOTS}


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# x\n\n![gone](screenshots/no-such-picture.svg)\n", encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?ms)^nav:.*", "", config).replace(
        "docs/hooks/nnplay_docs.py", str(DOCS / "hooks" / "nnplay_docs.py")
    )
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    out = _build(tmp_path, tmp_path / "site")
    assert out.returncode != 0 and "no-such-picture.svg" in out.stderr, out.stderr[-2000:]


def _build(folder: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``folder``'s mkdocs.yml into ``site``."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        capture_output=True,
        text=True,
        cwd=folder,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # mkdocs-material's notice about its future
    )

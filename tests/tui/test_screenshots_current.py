"""The pictures in the README and the docs are the app's own and current: each committed
``screenshots/NAME.svg`` is exactly what ``nnplay screenshots`` makes now. After a deliberate
change of the look, run ``nnplay screenshots`` (from the repository root) and commit the result."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from nnplay.tui.cli.screenshots import SHOTS, Shot, spaces_kept, take

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
REGENERATE = "run `nnplay screenshots` from the repository root and commit screenshots/"
# A text element starting with a space followed by visible text: renderers draw it a cell too far left.
SHIFTED = re.compile(r"<text [^>]*>(?:&#160;)+(?:[^<&]|&(?!#160;))")


def _cases() -> list:
    # The 15,000-step spiral trainings take most of the time: the quick tier leaves them out.
    return [pytest.param(s, id=s.name, marks=[pytest.mark.slow] if s.steps >= 10_000 else []) for s in SHOTS]


def test_the_folder_holds_exactly_the_pictures_the_command_makes() -> None:
    committed = {p.stem for p in SCREENSHOTS.glob("*.svg")}
    made = {s.name for s in SHOTS}
    assert committed == made, f"not made by the command: {committed - made}; missing: {made - committed}; {REGENERATE}"


@pytest.mark.parametrize("shot", _cases())
def test_the_committed_picture_is_what_the_command_makes_now(shot: Shot, tmp_path: Path) -> None:
    made = asyncio.run(take(shot, tmp_path / f"{shot.name}.svg")).read_text(encoding="utf-8")
    committed = (SCREENSHOTS / f"{shot.name}.svg").read_text(encoding="utf-8")
    assert committed == made, f"screenshots/{shot.name}.svg is not what the app draws now: {REGENERATE}"


def test_no_committed_picture_starts_a_text_with_a_space() -> None:
    for path in sorted(SCREENSHOTS.glob("*.svg")):
        found = SHIFTED.findall(path.read_text(encoding="utf-8"))
        assert not found, (path.name, found[:3])


def test_leading_spaces_become_the_texts_position() -> None:
    svg = (
        '<text class="r1" x="12.2" y="20" textLength="61" clip-path="url(#c)">enter</text>'
        '<text class="r2" x="73.2" y="20" textLength="48.8" clip-path="url(#c)">&#160;or&#160;</text>'
        '<text class="r2" x="122" y="20" textLength="24.4" clip-path="url(#c)">&#160;&#160;</text>'
        '<text class="r2" x="146.4" y="20" textLength="36.6" clip-path="url(#c)">&#160;&amp;b</text>'
    )
    kept = spaces_kept(svg)
    assert 'x="85.4" y="20" textLength="36.6" clip-path="url(#c)">or&#160;</text>' in kept
    assert 'x="122" y="20" textLength="24.4" clip-path="url(#c)">&#160;&#160;</text>' in kept  # only spaces: kept
    assert 'x="158.6" y="20" textLength="24.4" clip-path="url(#c)">&amp;b</text>' in kept
    assert not SHIFTED.search(kept)

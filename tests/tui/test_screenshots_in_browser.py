"""The README's screenshots as a browser draws them: no braille text crosses its pane's border.

Rendered with headless Chromium (Debian's ``chromium`` package: ``apt-get install -y chromium``);
skipped with the reason where it is missing. Other SVG renderers (rsvg) ignore the text
lengths Textual writes and showed braille past the plot's right border.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
BORDERS = "│╮╯╭╰┃"

# For every <text> holding braille: its right edge, and the left edge of the nearest pane border
# to its right on the same row (same y). The result is written into the page for --dump-dom.
MEASURE = """
<script>
window.addEventListener("load", () => {
  const out = [];
  document.querySelectorAll("svg").forEach((svg, index) => {
    const rows = new Map();
    svg.querySelectorAll("text").forEach((t) => {
      const y = t.getAttribute("y");
      if (!rows.has(y)) rows.set(y, []);
      rows.get(y).push(t);
    });
    rows.forEach((texts, y) => {
      const borders = texts.filter((t) => /^[BORDERS]$/.test(t.textContent));
      texts.forEach((t) => {
        if (!/[\\u2801-\\u28ff]/.test(t.textContent)) return;
        const box = t.getBoundingClientRect();
        const right = borders
          .map((b) => b.getBoundingClientRect().left)
          .filter((left) => left >= box.left)
          .sort((a, b) => a - b)[0];
        if (right !== undefined && box.right > right + 0.5)
          out.push({svg: index, y: y, text: t.textContent.slice(0, 12), right: box.right, border: right});
      });
    });
  });
  document.body.setAttribute("data-crossings", JSON.stringify(out));
  document.body.setAttribute("data-svgs", String(document.querySelectorAll("svg").length));
});
</script>
""".replace("BORDERS", BORDERS)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium not installed (apt-get install -y chromium)")
def test_no_braille_crosses_its_pane_in_the_readmes_screenshots(tmp_path: Path) -> None:
    svgs = sorted(SCREENSHOTS.glob("*.svg"))
    assert svgs, "no screenshots: run nnplay screenshots"
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        + "".join(f"<div>{svg.read_text(encoding='utf-8')}</div>" for svg in svgs)
        + MEASURE
        + "</body></html>",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = result.stdout
    found = re.search(r'data-svgs="(\d+)"', dom)
    assert found, f"the page did not run its measurement: {result.stderr[-500:]}"
    assert int(found.group(1)) == len(svgs)
    crossings = json.loads(html.unescape(re.search(r'data-crossings="([^"]*)"', dom).group(1)))
    named = [{**c, "svg": svgs[c["svg"]].name} for c in crossings]
    assert not named, named[:10]

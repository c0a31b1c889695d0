"""s shows the whole command line, wrapped, and copies it whole: OSC 52 and a file, and says so."""

from __future__ import annotations

from nnplay.core.settings.presets import PRESETS
from nnplay.tui.flags.share_line import command_line
from nnplay.tui.widgets.params_panel import ParamsPanel

# A setup whose command line is long (the was 216 characters, cut after --activation).
LONG = PRESETS["spiral"].config(layers=(8, 8, 6), activation="tanh", lr=0.003, optimizer="adam", l2=0.001,
                                 batch_size=16, schedule="cosine", noise=0.2, train_size=700, seed=7)  # fmt: skip


async def test_share_shows_and_copies_a_long_command_whole(make_app, tmp_path) -> None:
    app = make_app(LONG)
    app.share_path = str(tmp_path / "share.txt")
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        line = command_line(app.query_one(ParamsPanel).config)
        assert len(line) > 150, line
        await pilot.press("s")
        await pilot.pause()
        command = app.screen.query_one("#command")
        shown = "".join(strip.text for strip in command.render_lines(command.region.reset_offset)).replace(" ", "")
        assert shown.rstrip() == line.replace(" ", ""), "the whole line is on screen, wrapped"
        assert copied == [line]
        assert (tmp_path / "share.txt").read_text() == line + "\n"
        said = str(app.screen.query_one("#copied").render())
        assert "OSC 52" in said and "share.txt" in said

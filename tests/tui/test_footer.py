"""The footer keeps no removed keys alive (Textual's Footer leaked one set per focus change)."""

from __future__ import annotations

import gc

from textual.widgets._footer import FooterKey

from nnplay.core.settings.presets import PRESETS
from tests.tui.waiting import wait_until


async def test_focus_changes_leave_no_footer_keys_behind(make_app) -> None:
    app = make_app(PRESETS["seed-v2"].config(train_size=100))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(30):  # each focus change changes the bindings: the footer recomposes
            await pilot.press("tab")
        app.query_one("#diagram").focus()  # the app's keys (a field shows only the few that work while typing)
        # The footer recomposes after the focus change: wait for its keys.
        await wait_until(lambda: len(app.query(FooterKey)) > 5, 60, "the footer's keys", between=pilot.pause)
        gc.collect()
        shown = len(app.query(FooterKey))
        alive = sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))
        assert shown > 5
        assert alive <= 2 * shown, f"{alive} footer keys alive, {shown} shown"


async def test_help_and_quit_are_in_the_footer_at_80_columns(make_app) -> None:
    """A new user on a default 80x24 SSH window must see that ? exists."""
    shown = await footer_at_80_columns(make_app)
    assert "? Help" in shown and "q Quit" in shown, shown
    assert "Run/Pause" in shown


async def test_the_articles_train_and_classify_are_in_the_footer_at_80_columns(make_app) -> None:
    """The article's own buttons (Train, Classify Points) come right after run/pause, so an 80x24
    window shows them (it stopped at "e Epoch")."""
    shown = await footer_at_80_columns(make_app)
    assert "t Train" in shown and "c Classify" in shown, shown


async def footer_at_80_columns(make_app) -> str:
    """The footer's keys shown whole in an 80x24 window, as "key description" words."""
    app = make_app(PRESETS["seed-v2"].config(train_size=100))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.query_one("BindingsFooter")
        visible = [key for key in app.query(FooterKey) if key.region.right <= footer.region.right and key.region.width]
        return " ".join(f"{key.key_display} {key.description}" for key in visible)


async def test_the_palette_key_stays_the_palettes_when_a_focus_change_adds_keys(make_app) -> None:
    """The footer relabels the keys it has on a focus change: plain keys take over plain keys and
    the palette's key the palette's, whatever the number of plain keys (a field shows a few keys,
    the diagram many: the palette's slot once showed "q Quit")."""
    app = make_app(PRESETS["seed-v2"].config(train_size=100))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(lambda: app.query("#field-lr"), 60, "the panel's learn rate field", between=pilot.pause)
        for target in ("#field-lr", "#diagram", "#field-lr", "#diagram"):
            app.query_one(target).focus()
            await pilot.pause()
            await wait_until(lambda: len(app.query(FooterKey)) > 1, 60, "the footer's keys", between=pilot.pause)
            keys = list(app.query(FooterKey))
            palette = [key for key in keys if key.has_class("-command-palette")]
            assert [key.description for key in palette] == ["palette"], [(k.key, k.description) for k in keys]
            assert all(key.description != "palette" for key in keys if key not in palette)

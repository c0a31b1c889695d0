"""The settings table: each setting declared once, as a row of ``TrainConfig`` (name, type,
default, kind, help, range or choices, live, flag, panel row), read as ``FIELDS``."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from nnplay.core.settings.config import FIELDS, PANEL_GROUPS, TrainConfig


def test_every_row_of_the_config_is_a_setting_of_the_table() -> None:
    rows = dataclasses.fields(TrainConfig)
    assert [row.name for row in rows] == list(FIELDS)
    assert all(FIELDS[row.name] is row.metadata["setting"] for row in rows)


def test_the_defaults_are_the_rows_own() -> None:
    defaults = {row.name: row.default for row in dataclasses.fields(TrainConfig)}
    assert TrainConfig().as_dict() == {
        name: list(value) if isinstance(value, tuple) else value for name, value in defaults.items()
    }


def test_each_setting_has_its_own_flag() -> None:
    flags = [spec.flag for spec in FIELDS.values()]
    assert all(flag.startswith("--") for flag in flags)
    assert len(set(flags)) == len(flags)


def test_the_panel_rows_fill_each_group_in_order() -> None:
    places = defaultdict(list)
    for spec in FIELDS.values():
        if spec.panel is not None:
            places[spec.panel.group].append(spec.panel.place)
    assert set(places) == set(PANEL_GROUPS)
    assert all(sorted(p) == list(range(1, len(p) + 1)) for p in places.values()), places

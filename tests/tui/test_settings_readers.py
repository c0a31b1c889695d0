"""The flags and the panel are read from the settings table (core/settings/config.py), and read
the same as when each listed the settings itself: the same flags in the same order, the same
panel rows, groups and labels."""

from __future__ import annotations

from nnplay.core.settings.config import FIELDS
from nnplay.tui.flags.flag_table import FIELD_FLAGS, FLAG_FIELDS
from nnplay.tui.widgets.params_panel import LAYOUT

FLAGS = (
    "--dataset --csv --noise --train-size --test-ratio --data-seed --features --layers --activation --activations "
    "--dropout --output --loss --init --optimizer --lr --schedule --momentum --l1 --l2 --batch-size --iterations "
    "--epochs --target-loss --seed --points --backprop"
).split()
PANEL = (
    ("#", "data"),
    ("dataset", "dataset"),
    ("csv_path", "csv file"),
    ("noise", "noise"),
    ("train_size", "train size"),
    ("test_ratio", "test ratio"),
    ("features", "features"),
    ("#", "network"),
    ("layers", "hidden"),
    ("activation", "activation"),
    ("layer_activations", "per layer"),
    ("output", "output"),
    ("loss", "loss"),
    ("init", "init"),
    ("seed", "seed"),
    ("#", "training"),
    ("lr", "learn rate"),
    ("schedule", "schedule"),
    ("optimizer", "optimizer"),
    ("momentum", "momentum"),
    ("l1", "L1"),
    ("l2", "L2"),
    ("dropout", "dropout"),
    ("batch_size", "batch size"),
    ("iterations", "iterations"),
    ("epochs", "stop epoch"),
    ("target_loss", "stop loss"),
    ("points_to_classify", "classify n"),
    ("backprop", "backprop"),
)


def test_the_flags_are_the_table_s_in_its_order() -> None:
    assert list(FLAG_FIELDS) == FLAGS
    assert list(FLAG_FIELDS.values()) == list(FIELDS)
    assert all(FIELDS[name].flag == flag for name, flag in FIELD_FLAGS.items())


def test_the_panel_shows_the_table_s_rows_in_their_groups() -> None:
    assert LAYOUT == PANEL

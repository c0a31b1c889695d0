"""The command-line flag of each setting: one table for the CLI that parses them and the share line that writes them.

A module of its own, below both, so that the app (which shares a setup) never imports the CLI.
"""

from __future__ import annotations

# flag -> config field; the help text comes from the field's own description.
FLAG_FIELDS = {
    "--dataset": "dataset",
    "--csv": "csv_path",
    "--noise": "noise",
    "--train-size": "train_size",
    "--test-ratio": "test_ratio",
    "--data-seed": "data_seed",
    "--features": "features",
    "--layers": "layers",
    "--activation": "activation",
    "--activations": "layer_activations",
    "--dropout": "dropout",
    "--output": "output",
    "--loss": "loss",
    "--init": "init",
    "--optimizer": "optimizer",
    "--lr": "lr",
    "--schedule": "schedule",
    "--momentum": "momentum",
    "--l1": "l1",
    "--l2": "l2",
    "--batch-size": "batch_size",
    "--iterations": "iterations",
    "--epochs": "epochs",
    "--target-loss": "target_loss",
    "--seed": "seed",
    "--points": "points_to_classify",
    "--backprop": "backprop",
}
FIELD_FLAGS = {field: flag for flag, field in FLAG_FIELDS.items()}

"""What the exporter refuses and the names it writes by default (the CLI's exports: tests/cli/test_export_cli.py)."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.files.export import DEFAULT_NAMES, export_files, export_json
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig


def test_refuses_networks_it_cannot_export() -> None:
    t = Trainer(TrainConfig(dataset="xor", train_size=60, layers=(), output="tanh", loss="mse", iterations=200))
    with pytest.raises(ValueError, match="features"):
        export_json(t.net, ("x",), (), 6.0)
    with pytest.raises(ValueError, match="unknown format"):
        export_files(t.net, t.config.features, (), 6.0, "onnx", "m.onnx")
    broken = t.net.copy()
    broken.params[0] = np.nan
    for fmt in ("torch", "numpy", "json"):
        with pytest.raises(ValueError, match="not finite"):
            export_files(broken, t.config.features, (), 6.0, fmt, "m")


def test_default_output_names() -> None:
    assert DEFAULT_NAMES == {"torch": "nnplay_model.py", "numpy": "nnplay_model.npz", "json": "nnplay_model.json"}

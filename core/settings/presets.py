"""Named configurations: the article's two networks and one that solves each data set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnplay.core.settings.config import TrainConfig


@dataclass(frozen=True)
class Preset:
    description: str
    settings: dict[str, Any]

    def config(self, **overrides: Any) -> TrainConfig:
        return TrainConfig(**{**self.settings, **overrides})


_CLASSIFY = {"output": "softmax", "loss": "cross_entropy", "init": "xavier"}

PRESETS: dict[str, Preset] = {
    "seed-v1": Preset(
        "the article's version 1: 2 -> 4 sigmoid, no hidden layer, lr 0.1, "
        "10,000 per-sample updates on the 4 static centre points",
        dict(
            dataset="quadrants-centres",
            train_size=4,
            test_ratio=0.5,
            layers=(),
            output="sigmoid",
            loss="mse",
            init="uniform01",
            optimizer="sgd",
            lr=0.1,
            batch_size=1,
            iterations=10_000,
            points_to_classify=500,
        ),
    ),
    "seed-v2": Preset(
        "the article's version 2 with correct backprop: 2 -> 4 sigmoid -> 4 sigmoid, per-sample SGD "
        "on 2,000 random points, learning rate 2 decayed by a cosine schedule over 60,000 updates",
        dict(
            dataset="quadrants",
            train_size=2000,
            test_ratio=0.5,
            layers=(4,),
            activation="sigmoid",
            output="sigmoid",
            loss="mse",
            init="uniform11",
            optimizer="sgd",
            lr=2.0,
            schedule="cosine",
            batch_size=1,
            iterations=60_000,
            points_to_classify=500,
        ),
    ),
    "quadrants": Preset(
        "quadrants solved quickly: 2 -> 8 tanh -> 4 softmax, adam",
        dict(
            dataset="quadrants",
            train_size=500,
            layers=(8,),
            activation="tanh",
            optimizer="adam",
            lr=0.01,
            batch_size=10,
            iterations=3000,
            **_CLASSIFY,
        ),
    ),
    "circle": Preset(
        "circle: 2 -> 8 -> 8 tanh -> 2 softmax, adam",
        dict(
            dataset="circle",
            train_size=250,
            noise=0.1,
            layers=(8, 8),
            activation="tanh",
            optimizer="adam",
            lr=0.01,
            batch_size=10,
            iterations=3000,
            **_CLASSIFY,
        ),
    ),
    "xor": Preset(
        "xor: 2 -> 8 -> 8 tanh -> 2 softmax, adam",
        dict(
            dataset="xor",
            train_size=250,
            noise=0.1,
            layers=(8, 8),
            activation="tanh",
            optimizer="adam",
            lr=0.01,
            batch_size=10,
            iterations=3000,
            **_CLASSIFY,
        ),
    ),
    "gauss": Preset(
        "gauss: linearly separable, so no hidden layer is needed",
        dict(
            dataset="gauss",
            train_size=250,
            noise=0.1,
            layers=(),
            optimizer="sgd",
            lr=0.03,
            batch_size=10,
            iterations=1000,
            **_CLASSIFY,
        ),
    ),
    "spiral": Preset(
        "spiral: x, y, sin x, sin y into 8 -> 8 -> 8 tanh, adam (the hard one)",
        dict(
            dataset="spiral",
            train_size=500,
            noise=0.0,
            features=("x", "y", "sinx", "siny"),
            layers=(8, 8, 8),
            activation="tanh",
            optimizer="adam",
            lr=0.01,
            batch_size=10,
            iterations=15_000,
            **_CLASSIFY,
        ),
    ),
    "moons": Preset(
        "moons: 2 -> 8 -> 8 tanh -> 2 softmax, adam",
        dict(
            dataset="moons",
            train_size=250,
            noise=0.1,
            layers=(8, 8),
            activation="tanh",
            optimizer="adam",
            lr=0.01,
            batch_size=10,
            iterations=3000,
            **_CLASSIFY,
        ),
    ),
    "reg-plane": Preset(
        "reg-plane: a linear target, one linear output",
        dict(
            dataset="reg-plane",
            train_size=600,
            layers=(),
            output="linear",
            loss="mse",
            optimizer="sgd",
            lr=0.01,
            batch_size=10,
            iterations=2000,
        ),
    ),
    "reg-gauss": Preset(
        "reg-gauss: six bumps, 2 -> 16 -> 8 tanh -> 1 linear, adam",
        dict(
            dataset="reg-gauss",
            train_size=600,
            layers=(16, 8),
            activation="tanh",
            output="linear",
            loss="mse",
            optimizer="adam",
            lr=0.01,
            batch_size=10,
            iterations=10_000,
        ),
    ),
}

DEFAULT_PRESET = "seed-v2"

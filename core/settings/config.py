"""``TrainConfig``: every setting of a run, validated once, immutable.

One table (``FIELDS``) gives each setting its range and its help text; the CLI flags,
the app's validators and the save format are all read from it, so a limit is stated
in exactly one place.
"""

from __future__ import annotations

import dataclasses
import decimal
import math
from dataclasses import dataclass
from typing import Any

from nnplay.core.data.datasets import DATASETS, REGRESSION
from nnplay.core.data.features import FEATURES, parse_features
from nnplay.core.engine.activations import HIDDEN, OUTPUTS
from nnplay.core.engine.backprop import BACKPROP, BACKPROP_HELP
from nnplay.core.engine.losses import CROSS_ENTROPY_OUTPUTS, LOSSES
from nnplay.core.engine.network import INITS
from nnplay.core.engine.optim import OPTIMIZERS
from nnplay.core.engine.schedule import SCHEDULES
from nnplay.core.settings.memory_budget import budget_error, config_estimate

MAX_LAYERS = 8
MAX_NEURONS = 256


class ConfigError(ValueError):
    """A setting is out of range: names the field, the bad value and what is allowed."""

    def __init__(self, name: str, value: Any, allowed: str) -> None:
        self.name, self.value, self.allowed = name, value, allowed
        super().__init__(f"{name}: {value!r} is not allowed; allowed: {allowed}")


@dataclass(frozen=True)
class Field:
    kind: str  # "int", "float", "choice", "features", "layers", "path"
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    live: bool = False  # applies to a running network without a reset

    def allowed(self) -> str:
        if self.kind == "choice":
            return ", ".join(self.choices)
        if self.kind == "features":
            return "a comma list from " + ",".join(FEATURES)
        if self.kind == "layers":
            return f"'none' or a comma list of up to {MAX_LAYERS} sizes in 1..{MAX_NEURONS}"
        if self.kind == "path":
            return "a path to a CSV file of x,y,label rows"
        if self.kind == "activations":
            return "empty (use activation everywhere) or a comma list, one per hidden layer, from " + ",".join(HIDDEN)
        if self.kind == "int":
            return f"an integer in [{int(self.low)}, {int(self.high)}]"
        return f"a number in [{self.low:g}, {self.high:g}]"


FIELDS: dict[str, Field] = {
    "dataset": Field("choice", "training data set", choices=DATASETS),
    "csv_path": Field("path", "CSV file of x,y,label rows (dataset 'csv')"),
    "noise": Field("float", "label/point noise, 0..1 (TF Playground uses 0..0.5)", 0.0, 1.0),
    "train_size": Field("int", "number of training points (the article's Training Data Size)", 1, 100_000),
    "test_ratio": Field("float", "fraction of all points held out as test data", 0.0, 0.9),
    "data_seed": Field("int", "seed of the data generator", 0, 2**32 - 1),
    "features": Field("features", "input features fed to the network"),
    "layers": Field("layers", "hidden layer sizes; 'none' = no hidden layer (the article's version 1)"),
    "activation": Field("choice", "hidden-layer activation", choices=tuple(HIDDEN)),
    "layer_activations": Field("activations", "a different activation per hidden layer (overrides activation)"),
    "dropout": Field("float", "dropout rate on hidden layers while training (0 = off)", 0.0, 0.9, live=True),
    "output": Field("choice", "output-layer activation", choices=tuple(OUTPUTS)),
    "loss": Field("choice", "loss function", choices=LOSSES),
    "init": Field("choice", "weight initialisation", choices=INITS),
    "optimizer": Field("choice", "optimiser", choices=OPTIMIZERS, live=True),
    "lr": Field("float", "learning rate", 1e-6, 100.0, live=True),
    "schedule": Field("choice", "learning-rate schedule over the configured iterations", choices=SCHEDULES, live=True),
    "momentum": Field("float", "momentum (optimizer 'momentum') / beta1 (adam)", 0.0, 0.999, live=True),
    "l1": Field("float", "L1 regularisation rate (weights only)", 0.0, 10.0, live=True),
    "l2": Field("float", "L2 regularisation rate (weights only)", 0.0, 10.0, live=True),
    "batch_size": Field(
        "int", "samples per optimiser update (1 = the article's per-sample training)", 1, 100_000, live=True
    ),
    "iterations": Field(
        "int", "optimiser updates per training run (the article's Training Iterations)", 1, 100_000_000, live=True
    ),
    "epochs": Field("int", "stop after this many epochs (0 = no limit)", 0, 1_000_000, live=True),
    "target_loss": Field("float", "stop when the training loss reaches this (0 = no target)", 0.0, 1e6, live=True),
    "seed": Field("int", "seed of the initial weights and the batch order", 0, 2**32 - 1),
    "points_to_classify": Field(
        "int", "fresh points drawn by Classify Points (the article's knob)", 1, 100_000, live=True
    ),
    "backprop": Field("choice", BACKPROP_HELP, choices=BACKPROP, live=True),
}


def regression_fit_error(loss: str, output: str) -> ConfigError | None:
    """Why ``loss`` and ``output`` cannot fit regression targets, or None. The one rule for
    built-in regression sets (here) and CSV files, whose kind shows only once read (Trainer)."""
    if loss != "mse":
        return ConfigError("loss", loss, "mse for regression data sets")
    if output == "softmax":  # one output unit: a softmax of one value is always 1, so it never learns
        return ConfigError("output", output, "tanh, linear or sigmoid for regression data sets")
    return None


@dataclass(frozen=True)
class TrainConfig:
    dataset: str = "quadrants"
    csv_path: str | None = None
    noise: float = 0.0
    train_size: int = 200
    test_ratio: float = 0.5
    data_seed: int = 0
    features: tuple[str, ...] = ("x", "y")
    layers: tuple[int, ...] = (8,)
    activation: str = "sigmoid"
    layer_activations: tuple[str, ...] = ()
    dropout: float = 0.0
    output: str = "sigmoid"
    loss: str = "mse"
    init: str = "xavier"
    optimizer: str = "sgd"
    lr: float = 0.1
    schedule: str = "constant"
    momentum: float = 0.9
    l1: float = 0.0
    l2: float = 0.0
    batch_size: int = 1
    iterations: int = 10_000
    epochs: int = 0
    target_loss: float = 0.0
    seed: int = 0
    points_to_classify: int = 500
    backprop: str = "correct"

    def __post_init__(self) -> None:
        for name, spec in FIELDS.items():
            object.__setattr__(self, name, _check(name, spec, getattr(self, name)))
        if self.dataset == "csv" and not self.csv_path:
            raise ConfigError("csv_path", self.csv_path, "a CSV path when dataset is 'csv'")
        if self.loss == "cross_entropy" and self.output not in CROSS_ENTROPY_OUTPUTS:
            raise ConfigError(
                "loss", self.loss, "mse with a tanh or linear output (cross_entropy needs sigmoid or softmax)"
            )
        if self.dataset in REGRESSION and (error := regression_fit_error(self.loss, self.output)):
            raise error
        if self.backprop == "article-v2" and self.loss != "mse":
            # The article's rule sends back the output error a - t, the derivative of mse only.
            raise ConfigError("backprop", self.backprop, "correct with loss cross_entropy (article-v2 needs mse)")
        if self.layer_activations and len(self.layer_activations) != len(self.layers):
            raise ConfigError(
                "layer_activations",
                ",".join(self.layer_activations),
                f"{len(self.layers)} activation(s), one per hidden layer, or empty",
            )
        check_memory(self)

    @property
    def hidden_activations(self) -> list[str]:
        """The activation of each hidden layer."""
        return list(self.layer_activations) if self.layer_activations else [self.activation] * len(self.layers)

    def replace(self, **changes: Any) -> TrainConfig:
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise ConfigError(sorted(unknown)[0], changes[sorted(unknown)[0]], ", ".join(FIELDS))
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in FIELDS}
        out["features"] = list(self.features)
        out["layers"] = list(self.layers)
        out["layer_activations"] = list(self.layer_activations)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        if not isinstance(data, dict):
            raise ConfigError("config", type(data).__name__, "a JSON object of settings")
        unknown = set(data) - set(FIELDS)
        if unknown:
            name = sorted(unknown)[0]
            raise ConfigError(name, data[name], "one of the settings " + ", ".join(FIELDS))
        return cls(**data)

    def with_live_settings_of(self, other: TrainConfig) -> TrainConfig:
        """This config with every setting that applies without a reset taken from ``other``."""
        return self.replace(**{n: getattr(other, n) for n, f in FIELDS.items() if f.live})

    def needs_reset(self, other: TrainConfig) -> tuple[str, ...]:
        """Names of the settings that differ from ``other`` and only apply to a new network."""
        return tuple(n for n, f in FIELDS.items() if not f.live and getattr(self, n) != getattr(other, n))


def unused_reason(config: TrainConfig, name: str) -> str | None:
    """Why setting ``name`` changes nothing in the training of ``config`` (None: the training uses it)."""
    if name == "points_to_classify":
        return "it is how many fresh points Classify Points draws, not part of training"
    if name == "csv_path" and config.dataset != "csv":
        return f"the data set is {config.dataset!r}, not a CSV file"
    if name == "noise" and config.dataset == "csv":
        return "a CSV file's points are used as they are, without noise"
    if name == "momentum" and config.optimizer == "sgd":
        return "optimizer sgd uses no momentum"
    if name in ("activation", "dropout") and not config.layers:
        return "there is no hidden layer"
    if name == "activation" and config.layer_activations:
        return "activations gives every hidden layer its own"
    return None


# The setting a too-big estimate is reported against: the one that drives its largest part.
_MEMORY_FIELDS = {"training batch": "batch_size", "data": "train_size"}


def check_memory(config: TrainConfig, n_train: int | None = None, n_test: int | None = None) -> None:
    """Raise ConfigError when ``config`` (with its own data sizes, or the given ones) needs more
    memory than the budget (``core.settings.memory_budget``); the message gives the estimate."""
    est = config_estimate(config, n_train, n_test)
    reason = budget_error(est)
    if reason:
        name = _MEMORY_FIELDS.get(est.largest, "layers")
        if name == "train_size" and config.dataset == "csv":
            name = "csv_path"
        raise ConfigError(name, getattr(config, name), reason)


def parse_value(name: str, text: str) -> Any:
    """Turn the text of a CLI flag or an input box into a checked value for ``name``."""
    spec = FIELDS.get(name)
    if spec is None:
        raise ConfigError(name, text, ", ".join(FIELDS))
    text = text.strip()
    if spec.kind == "int":
        return _check(name, spec, _whole_number(name, spec, text))
    if spec.kind == "float":
        try:
            number = float(text)
        except ValueError:
            raise ConfigError(name, text, spec.allowed()) from None
        return _check(name, spec, number)
    if spec.kind == "path" and not text:
        raise ConfigError(name, text, spec.allowed())
    return _check(name, spec, text)


def _whole_number(name: str, spec: Field, text: str) -> int:
    """The integer ``text`` writes ("12", "1e3", "12.0"), read exactly: through a float, "1e-400"
    would be 0 and "4294967295.0000001" would be 4294967295, both silently not what was typed."""
    try:
        float(text)  # the syntax every number field takes (Decimal alone also reads "_5" and "sNaN")
        number = decimal.Decimal(text)
    except (ValueError, decimal.InvalidOperation):
        raise ConfigError(name, text, spec.allowed()) from None
    assert spec.low is not None and spec.high is not None
    if not number.is_finite() or number != number.to_integral_value() or not spec.low <= number <= spec.high:
        raise ConfigError(name, text, spec.allowed())  # compared as a Decimal: int(1e999999999) never made
    return int(number)


def _check(name: str, spec: Field, value: Any) -> Any:
    kind = spec.kind
    if kind == "choice":
        if not isinstance(value, str) or value not in spec.choices:
            raise ConfigError(name, value, spec.allowed())
        return value
    if kind == "path":
        if value is not None and not isinstance(value, str):
            raise ConfigError(name, value, spec.allowed())
        return value
    if kind == "activations":
        parts = [p.strip() for p in value.split(",")] if isinstance(value, str) else value
        try:
            names = tuple(p for p in parts if p != "")
        except TypeError:
            raise ConfigError(name, value, spec.allowed()) from None
        if not all(isinstance(p, str) and p in HIDDEN for p in names):
            raise ConfigError(name, value, spec.allowed())
        return names
    if kind == "features":
        if isinstance(value, str):
            try:
                return parse_features(value)
            except ValueError:
                raise ConfigError(name, value, spec.allowed()) from None
        try:
            return parse_features(",".join(value))
        except (TypeError, ValueError):
            raise ConfigError(name, value, spec.allowed()) from None
    if kind == "layers":
        return _check_layers(name, spec, value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(name, value, spec.allowed())
    if kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise ConfigError(name, value, spec.allowed())
            value = int(value)
    else:
        # + 0.0 turns -0.0 into 0.0: numpy refuses a negative zero as a scale ("scale < 0")
        try:
            value = float(value) + 0.0
        except OverflowError:  # an integer beyond any float
            value = math.inf
        if not math.isfinite(value):  # refused as what it is: nan stays nan in the message
            raise ConfigError(name, value, spec.allowed())
    assert spec.low is not None and spec.high is not None
    if not spec.low <= value <= spec.high:
        raise ConfigError(name, value, spec.allowed())
    return value


def _check_layers(name: str, spec: Field, value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("none", "0", ""):
            return ()
        parts = [p.strip() for p in text.split(",")]
        if not all(p.isdecimal() and len(p) < 10 for p in parts):
            raise ConfigError(name, value, spec.allowed())
        value = [int(p) for p in parts]
    try:
        sizes = tuple(value)
    except TypeError:
        raise ConfigError(name, value, spec.allowed()) from None
    if len(sizes) > MAX_LAYERS or not all(
        isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= MAX_NEURONS for s in sizes
    ):
        raise ConfigError(name, value, spec.allowed())
    return sizes

"""Tests of ``core.settings.config``: the one table of settings, their parsing and their checks."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnplay.core.data.datasets import DATASETS, REGRESSION
from nnplay.core.data.features import FEATURES
from nnplay.core.engine.losses import CROSS_ENTROPY_OUTPUTS
from nnplay.core.settings.config import FIELDS, MAX_LAYERS, MAX_NEURONS, ConfigError, TrainConfig, parse_value
from nnplay.core.settings.presets import PRESETS

NUMERIC = [name for name, f in FIELDS.items() if f.kind in ("int", "float")]
INTS = [name for name, f in FIELDS.items() if f.kind == "int"]
FLOATS = [name for name, f in FIELDS.items() if f.kind == "float"]
CHOICES = [name for name, f in FIELDS.items() if f.kind == "choice"]


def _bad_values(name: str) -> list:
    """Values every field of this kind must refuse: out of range, wrong type, nonsense."""
    spec = FIELDS[name]
    if spec.kind in ("int", "float"):
        assert spec.low is not None and spec.high is not None
        below = spec.low - 1 if spec.kind == "int" else (spec.low / 2 if spec.low > 0 else -0.001)
        above = spec.high + 1 if spec.kind == "int" else spec.high * 1.5 + 1
        bad = [below, above, math.nan, math.inf, -math.inf, "1", None, True, [1], 10**400]
        if spec.kind == "int":
            bad += [spec.low + 0.5, np.int64(1)]
        return bad
    if spec.kind == "choice":
        return ["no-such-" + name, "", spec.choices[0].upper() + "X", None, 3, [spec.choices[0]], np.array([1, 2])]
    if spec.kind == "features":
        return ["", "x,", "x,x", "q", "X", "x;y", None, 5, ["x", 3], ()]
    if spec.kind == "layers":
        return [
            "8,,8",
            "-1",
            "300",
            "abc",
            "8,0",
            "²",
            (0,),
            (MAX_NEURONS + 1,),
            (8,) * (MAX_LAYERS + 1),
            (8.0,),
            (True,),
            ("8",),
            None,
            8,
        ]
    if spec.kind == "path":
        return [5, b"data.csv", ["a.csv"]]
    if spec.kind == "activations":
        # The default network has one hidden layer: two names, unknown names and non-strings are refused.
        return ["relu,tanh", "softplus", "RELU", ("relu", 3), 5, None, ["relu", "tanh"]]
    raise AssertionError(f"untested field kind {spec.kind}")


def test_fields_cover_every_setting() -> None:
    assert [f.name for f in dataclasses.fields(TrainConfig)] == list(FIELDS)


def test_defaults_are_valid_and_in_range() -> None:
    c = TrainConfig()
    assert TrainConfig(**dataclasses.asdict(c)) == c
    for name in NUMERIC:
        spec = FIELDS[name]
        assert spec.low <= getattr(c, name) <= spec.high, name
    for name in CHOICES:
        assert getattr(c, name) in FIELDS[name].choices


def test_config_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().lr = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("name", list(FIELDS))
def test_every_field_rejects_bad_values_naming_the_field(name: str) -> None:
    base = {"csv_path": "data.csv"} if name == "dataset" else {}
    for value in _bad_values(name):
        with pytest.raises(ConfigError) as info:
            TrainConfig(**{**base, name: value})
        assert info.value.name == name, (name, value)
        assert str(info.value).startswith(f"{name}: "), str(info.value)
        assert "allowed" in str(info.value)


@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_fields_accept_their_limits(name: str) -> None:
    spec = FIELDS[name]
    for value in (spec.low, spec.high):
        got = getattr(TrainConfig(**{name: value}), name)
        assert got == value
        assert type(got) is (int if spec.kind == "int" else float)


def test_int_fields_take_whole_floats_and_float_fields_take_ints() -> None:
    c = TrainConfig(train_size=300.0, lr=1)
    assert c.train_size == 300 and type(c.train_size) is int
    assert c.lr == 1.0 and type(c.lr) is float


@pytest.mark.parametrize("name", list(FIELDS))
def test_error_message_states_what_is_allowed(name: str) -> None:
    spec = FIELDS[name]
    allowed = spec.allowed()
    assert allowed
    if spec.kind == "choice":
        assert all(choice in allowed for choice in spec.choices)
    if spec.kind in ("int", "float"):
        assert ("integer" if spec.kind == "int" else "number") in allowed


# -- parse_value -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("lr", "0.5", 0.5),
        ("lr", " 0.5 ", 0.5),
        ("lr", "1e-3", 0.001),
        ("noise", "0", 0.0),
        ("train_size", "300", 300),
        ("train_size", "1e3", 1000),
        ("train_size", "300.0", 300),
        ("seed", "4294967295", 2**32 - 1),
        ("epochs", "0", 0),
        ("dataset", " circle ", "circle"),
        ("optimizer", "adam", "adam"),
        ("features", "x, y ,sinx", ("x", "y", "sinx")),
        ("layers", "8,8", (8, 8)),
        ("csv_path", "points.csv", "points.csv"),
    ],
)
def test_parse_value_accepts(name: str, text: str, expected: object) -> None:
    got = parse_value(name, text)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize("name", NUMERIC)
@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "1e400", "-1e400", "", "   ", "abc", "1,5", "0x10"])
def test_parse_value_rejects_non_numbers(name: str, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_value(name, text)
    assert info.value.name == name
    assert FIELDS[name].allowed() in str(info.value)


@pytest.mark.parametrize("name", INTS)
@pytest.mark.parametrize("text", ["3.5", "1.000001", "1e-3"])
def test_parse_value_rejects_fractions_for_int_fields(name: str, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_value(name, text)
    assert info.value.name == name
    assert text in str(info.value)


@pytest.mark.parametrize("name", NUMERIC)
def test_parse_value_rejects_out_of_range(name: str) -> None:
    spec = FIELDS[name]
    for text in (repr(spec.high * 2 + 1), repr(spec.low - 1)):
        with pytest.raises(ConfigError):
            parse_value(name, text)


def test_parse_value_unknown_field() -> None:
    with pytest.raises(ConfigError) as info:
        parse_value("no_such_setting", "1")
    assert info.value.name == "no_such_setting"
    assert "lr" in info.value.allowed


@pytest.mark.parametrize("name", CHOICES)
def test_parse_value_choices(name: str) -> None:
    for choice in FIELDS[name].choices:
        assert parse_value(name, choice) == choice
    with pytest.raises(ConfigError) as info:
        parse_value(name, "bogus")
    assert "bogus" in str(info.value)


# -- layers and features -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("none", ()),
        ("None", ()),
        (" NONE ", ()),
        ("0", ()),
        ("8", (8,)),
        ("8,8", (8, 8)),
        (" 8 , 4 ", (8, 4)),
        ("1", (1,)),
        (str(MAX_NEURONS), (MAX_NEURONS,)),
        (",".join(["3"] * MAX_LAYERS), (3,) * MAX_LAYERS),
    ],
)
def test_layers_parsing_accepts(text: str, expected: tuple[int, ...]) -> None:
    assert parse_value("layers", text) == expected
    assert TrainConfig(layers=text).layers == expected


@pytest.mark.parametrize(
    "text",
    [
        "8,,8",
        ",8",
        "8,",
        "-1",
        "8,-1",
        str(MAX_NEURONS + 1),
        "300",
        ",".join(["3"] * (MAX_LAYERS + 1)),
        "8,0",
        "8.5",
        "8 8",
        "eight",
        "²",  # a digit to str.isdigit, not to int()
        "1" * 5000,  # more digits than int() will convert
    ],
)
def test_layers_parsing_rejects(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_value("layers", text)
    assert info.value.name == "layers"
    assert "none" in info.value.allowed


def test_layers_as_sequences() -> None:
    assert TrainConfig(layers=[8, 4]).layers == (8, 4)
    assert TrainConfig(layers=()).layers == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x,y", ("x", "y")),
        (" x , x2 ", ("x", "x2")),
        ("sinx", ("sinx",)),
        (",".join(FEATURES), tuple(FEATURES)),
    ],
)
def test_features_parsing_accepts(text: str, expected: tuple[str, ...]) -> None:
    assert parse_value("features", text) == expected
    assert TrainConfig(features=text).features == expected
    assert TrainConfig(features=list(expected)).features == expected


@pytest.mark.parametrize("text", ["", " ", "x,", ",x", "x,,y", "x,x", "z", "X", "x;y", "x y", "cosx"])
def test_features_parsing_rejects(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_value("features", text)
    assert info.value.name == "features"
    assert ",".join(FEATURES) in info.value.allowed


# -- rules across fields -----------------------------------------------------------------


def test_csv_dataset_needs_a_path() -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig(dataset="csv")
    assert info.value.name == "csv_path"
    assert "csv" in info.value.allowed
    # The path is checked when the data is built, not here.
    assert TrainConfig(dataset="csv", csv_path="missing.csv").csv_path == "missing.csv"


@pytest.mark.parametrize("output", ["tanh", "linear"])
def test_cross_entropy_needs_probability_outputs(output: str) -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig(loss="cross_entropy", output=output)
    assert info.value.name == "loss"
    assert info.value.value == "cross_entropy"
    assert "mse" in info.value.allowed
    TrainConfig(loss="mse", output=output)


@pytest.mark.parametrize("output", CROSS_ENTROPY_OUTPUTS)
def test_cross_entropy_with_probability_outputs(output: str) -> None:
    assert TrainConfig(loss="cross_entropy", output=output).output == output


@pytest.mark.parametrize("dataset", sorted(REGRESSION))
@pytest.mark.parametrize(
    ("loss", "output", "field"),
    [
        ("cross_entropy", "sigmoid", "loss"),  # regression needs mse
        # One output unit: its softmax is always 1, so the network could never fit anything.
        ("mse", "softmax", "output"),
    ],
)
def test_regression_datasets_refuse_what_cannot_fit_them(dataset: str, loss: str, output: str, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig(dataset=dataset, loss=loss, output=output)
    assert info.value.name == field
    assert "regression" in info.value.allowed
    for fits in ("tanh", "linear", "sigmoid"):
        TrainConfig(dataset=dataset, loss="mse", output=fits)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_are_valid(name: str) -> None:
    config = PRESETS[name].config()
    assert isinstance(config, TrainConfig)
    assert config.dataset in DATASETS


# -- live settings, replace, dict round trip ---------------------------------------------


def test_live_fields() -> None:
    for name in ("optimizer", "lr", "momentum", "l1", "l2", "batch_size", "iterations", "epochs", "target_loss"):
        assert FIELDS[name].live, name
    shape = (
        "dataset",
        "csv_path",
        "noise",
        "train_size",
        "test_ratio",
        "data_seed",
        "features",
        "layers",
        "activation",
        "output",
        "loss",
        "init",
        "seed",
    )
    for name in shape:
        assert not FIELDS[name].live, name


def test_needs_reset() -> None:
    base = TrainConfig()
    assert base.needs_reset(base) == ()
    assert base.replace(lr=0.5, optimizer="adam", l2=0.01, batch_size=4).needs_reset(base) == ()
    changed = base.replace(layers=(4, 4), lr=0.5, seed=7)
    assert changed.needs_reset(base) == ("layers", "seed")
    assert base.needs_reset(changed) == ("layers", "seed")
    assert base.replace(features="x,y,x2").needs_reset(base) == ("features",)


def test_replace_validates_and_rejects_unknown_names() -> None:
    base = TrainConfig()
    assert base.replace(lr=0.25).lr == 0.25
    assert base.lr == 0.1
    with pytest.raises(ConfigError) as info:
        base.replace(lr=-1)
    assert info.value.name == "lr"
    with pytest.raises(ConfigError) as info:
        base.replace(learning_rate=0.1)
    assert info.value.name == "learning_rate"


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(),
        TrainConfig(dataset="csv", csv_path="/tmp/pts.csv", features=("x", "sinx"), layers=(), lr=0.003),
        TrainConfig(
            dataset="spiral",
            layers=(8, 8, 8),
            activation="tanh",
            output="softmax",
            loss="cross_entropy",
            optimizer="adam",
            schedule="cosine",
            epochs=5,
            target_loss=0.01,
            seed=2**32 - 1,
        ),
    ],
)
def test_dict_round_trip(config: TrainConfig) -> None:
    data = config.as_dict()
    assert list(data) == list(FIELDS)
    assert isinstance(data["features"], list) and isinstance(data["layers"], list)
    assert TrainConfig.from_dict(data) == config
    # as_dict is JSON-ready, and the JSON comes back to the same config.
    assert TrainConfig.from_dict(json.loads(json.dumps(data))) == config


def test_from_dict_fills_defaults_and_rejects_unknown_keys() -> None:
    assert TrainConfig.from_dict({"lr": 0.5}) == TrainConfig(lr=0.5)
    with pytest.raises(ConfigError) as info:
        TrainConfig.from_dict({"lr": 0.5, "colour": "red"})
    assert info.value.name == "colour"
    assert "lr" in info.value.allowed
    for not_a_dict in ([], "lr=0.5", None, 3):
        with pytest.raises(ConfigError):
            TrainConfig.from_dict(not_a_dict)  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as info:
        TrainConfig.from_dict({"lr": "fast"})
    assert info.value.name == "lr"


# -- properties --------------------------------------------------------------------------


def _field_texts() -> st.SearchStrategy[str]:
    """Any text, plus text that looks like what the fields take, with noise around it."""
    pieces = [*FEATURES, "none", "0", "8", "256", "257", "-1", ""]
    return st.one_of(
        st.text(),
        st.text(alphabet="0123456789.,-+eE ninfaxyz²٣"),
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        st.floats().map(repr),
        st.floats().map(str),
        st.lists(st.sampled_from(pieces), max_size=10).map(",".join),
        st.sampled_from([c for f in FIELDS.values() for c in f.choices]).map(lambda s: f" {s} "),
    )


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(list(FIELDS)), text=_field_texts())
def test_parse_value_returns_an_accepted_value_or_config_error(name: str, text: str) -> None:
    try:
        value = parse_value(name, text)
    except ConfigError as exc:
        assert exc.name == name
        return
    base = {"csv_path": "data.csv"} if name == "dataset" else {}
    config = TrainConfig(**{**base, name: value})
    assert getattr(config, name) == value


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(),
    st.floats(min_value=-10, max_value=10),
    st.integers(min_value=0, max_value=300),
    st.text(max_size=20),
    st.sampled_from([c for f in FIELDS.values() for c in f.choices]),
    st.lists(st.sampled_from(list(FEATURES)), max_size=8),
    st.lists(st.integers(min_value=-2, max_value=300), max_size=10),
    st.tuples(st.integers(min_value=1, max_value=16), st.integers(min_value=1, max_value=16)),
    st.lists(st.one_of(st.integers(), st.text(max_size=3), st.floats()), max_size=4),
    st.builds(np.float64, st.floats()),
    st.builds(np.int64, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    st.builds(np.array, st.lists(st.integers(min_value=0, max_value=9), max_size=3)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _assert_in_range(config: TrainConfig) -> None:
    for name, spec in FIELDS.items():
        value = getattr(config, name)
        if spec.kind in ("int", "float"):
            expected = int if spec.kind == "int" else float
            assert type(value) is expected, (name, value)
            assert spec.low <= value <= spec.high, (name, value)
        elif spec.kind == "choice":
            assert isinstance(value, str) and value in spec.choices, (name, value)
        elif spec.kind == "features":
            assert isinstance(value, tuple) and value and len(set(value)) == len(value)
            assert all(f in FEATURES for f in value)
        elif spec.kind == "layers":
            assert isinstance(value, tuple) and len(value) <= MAX_LAYERS
            assert all(type(s) is int and 1 <= s <= MAX_NEURONS for s in value), value
        elif spec.kind == "path":
            assert value is None or isinstance(value, str)
    if config.dataset == "csv":
        assert config.csv_path
    if config.loss == "cross_entropy":
        assert config.output in CROSS_ENTROPY_OUTPUTS
    if config.dataset in REGRESSION:
        assert config.loss == "mse"


@settings(max_examples=400, deadline=None)
@given(data=st.dictionaries(st.sampled_from(list(FIELDS)), _VALUES))
def test_any_settings_validate_or_raise_config_error(data: dict) -> None:
    try:
        config = TrainConfig(**data)
    except ConfigError as exc:
        assert exc.name in FIELDS
        return
    _assert_in_range(config)
    # A valid config survives its own dict form.
    assert TrainConfig.from_dict(config.as_dict()) == config


@settings(max_examples=200, deadline=None)
@given(data=st.fixed_dictionaries({}, optional={name: _VALUES for name in FIELDS}))
def test_from_dict_validates_or_raises_config_error(data: dict) -> None:
    try:
        config = TrainConfig.from_dict(data)
    except ConfigError:
        return
    _assert_in_range(config)


def test_with_live_settings_of_takes_the_live_settings_only() -> None:
    base, other = TrainConfig(), TrainConfig(lr=0.5, momentum=0.5, layers=(3,), seed=9)
    mixed = base.with_live_settings_of(other)
    assert (mixed.lr, mixed.momentum) == (0.5, 0.5)  # live: apply without a reset
    assert (mixed.layers, mixed.seed) == (base.layers, base.seed)  # need a new network
    assert mixed.needs_reset(base) == ()


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("seed", "1e-400"),  # a float made it 0
        ("seed", "4294967295.0000001"),  # a float made it 4294967295
        ("iterations", "1e999999999"),
        ("train_size", "100.00000000000001"),
        ("seed", "_5"),  # Decimal reads it; float, the other fields' reader, does not
        ("seed", "sNaN"),
        ("csv_path", ""),  # None: the default data, trained on silently
        ("csv_path", "   "),
    ],
)
def test_parse_value_refuses_what_it_would_only_approximate(name: str, text: str) -> None:
    """The same rule for a flag and the panel's field: the value typed, exactly, or a refusal."""
    with pytest.raises(ConfigError) as info:
        parse_value(name, text)
    assert info.value.name == name and FIELDS[name].allowed() in str(info.value)


def test_parse_value_reads_whole_numbers_written_as_decimals_exactly() -> None:
    assert parse_value("seed", "1e3") == 1000 and parse_value("seed", "4294967295.000") == 2**32 - 1
    assert parse_value("iterations", "1_000") == 1000


def test_a_nan_setting_is_refused_as_nan() -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig(lr=math.nan)
    assert math.isnan(info.value.value)
    with pytest.raises(ConfigError) as info:
        TrainConfig(lr=10**400)  # beyond any float: refused as inf, not an OverflowError
    assert info.value.value == math.inf

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnplay.core.data.features import FEATURES, feature_matrix, parse_features

NAMES = tuple(FEATURES)


def test_features_order_and_labels():
    assert list(FEATURES.items()) == [
        ("x", "x"),
        ("y", "y"),
        ("x2", "x²"),
        ("y2", "y²"),
        ("xy", "x·y"),
        ("sinx", "sin x"),
        ("siny", "sin y"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x,y,x2", ("x", "y", "x2")),
        (" x , y ", ("x", "y")),
        ("siny", ("siny",)),
        ("xy,sinx,x", ("xy", "sinx", "x")),  # order is kept
        ("x,y,x2,y2,xy,sinx,siny", NAMES),
    ],
)
def test_parse_features_good(text, expected):
    assert parse_features(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "no features given"),
        ("  ", "no features given"),
        (",", "no features given"),
        ("x,z", "unknown feature 'z'"),
        ("X", "unknown feature 'X'"),
        ("x²", "unknown feature 'x²'"),
        ("x,y,x", "duplicate feature 'x'"),
        ("x,,y", "empty feature name in 'x,,y'"),
        ("x,", "empty feature name"),
    ],
)
def test_parse_features_bad(text, fragment):
    with pytest.raises(ValueError, match=fragment) as info:
        parse_features(text)
    assert "x, y, x2, y2, xy, sinx, siny" in str(info.value)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=7, unique=True), st.sampled_from(["", " ", "  "]))
def test_parse_features_round_trip(names, pad):
    text = ",".join(pad + n + pad for n in names)
    assert parse_features(text) == tuple(names)


def test_feature_matrix_values():
    X = np.array([[1.0, 2.0], [-0.5, 3.0], [0.0, -1.0]])
    F = feature_matrix(X, NAMES)
    expected = np.array(
        [
            [1.0, 2.0, 1.0, 4.0, 2.0, np.sin(1.0), np.sin(2.0)],
            [-0.5, 3.0, 0.25, 9.0, -1.5, np.sin(-0.5), np.sin(3.0)],
            [0.0, -1.0, 0.0, 1.0, 0.0, 0.0, np.sin(-1.0)],
        ]
    )
    assert F.dtype == np.float64 and F.shape == (3, 7)
    np.testing.assert_allclose(F, expected, rtol=0, atol=1e-15)


def test_feature_matrix_column_order_follows_features():
    X = np.array([[2.0, 3.0]])
    np.testing.assert_array_equal(feature_matrix(X, ("xy", "y", "x2")), [[6.0, 3.0, 4.0]])


def test_feature_matrix_accepts_int_and_list_input():
    F = feature_matrix([[1, 2], [3, 4]], ("x", "y2"))
    assert F.dtype == np.float64
    np.testing.assert_array_equal(F, [[1.0, 4.0], [3.0, 16.0]])


def test_feature_matrix_empty_points():
    F = feature_matrix(np.empty((0, 2)), ("x", "sinx"))
    assert F.shape == (0, 2)


def test_feature_matrix_writes_into_out():
    X = np.array([[1.0, -2.0], [0.5, 0.25]])
    out = np.full((2, 3), np.nan)
    result = feature_matrix(X, ("y", "xy", "x2"), out=out)
    assert result is out
    np.testing.assert_array_equal(out, [[-2.0, -2.0, 1.0], [0.25, 0.125, 0.25]])


def test_feature_matrix_does_not_modify_input():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = X.copy()
    feature_matrix(X, NAMES)
    np.testing.assert_array_equal(X, before)


def test_feature_matrix_read_only_input():
    X = np.array([[1.0, 2.0]])
    X.flags.writeable = False
    np.testing.assert_array_equal(feature_matrix(X, ("x", "y")), X)


@pytest.mark.parametrize(
    ("X", "features", "out", "fragment"),
    [
        (np.zeros((3, 3)), ("x",), None, r"X must have shape \(n, 2\), got \(3, 3\)"),
        (np.zeros(4), ("x",), None, r"X must have shape \(n, 2\)"),
        (np.zeros((3, 2)), (), None, "no features given"),
        (np.zeros((3, 2)), ("x", "cosx"), None, "unknown feature 'cosx'"),
        (np.zeros((3, 2)), ("x", "y"), np.zeros((3, 3)), r"out must be a float64 array of shape \(3, 2\)"),
        (np.zeros((3, 2)), ("x", "y"), np.zeros((3, 2), dtype=np.float32), "out must be a float64"),
    ],
)
def test_feature_matrix_rejects(X, features, out, fragment):
    with pytest.raises(ValueError, match=fragment):
        feature_matrix(X, features, out=out)


def test_feature_matrix_rejects_out_aliasing_x():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="share memory"):
        feature_matrix(X, ("y", "x"), out=X)


@settings(max_examples=60, deadline=None)
@given(
    X=hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 20), st.just(2)),
        elements=st.floats(-1e3, 1e3, allow_nan=False),
    ),
    features=st.lists(st.sampled_from(NAMES), min_size=1, max_size=7, unique=True),
)
def test_feature_matrix_matches_definitions(X, features):
    F = feature_matrix(X, tuple(features))
    x, y = X[:, 0], X[:, 1]
    definitions = {"x": x, "y": y, "x2": x * x, "y2": y * y, "xy": x * y, "sinx": np.sin(x), "siny": np.sin(y)}
    assert F.shape == (len(X), len(features))
    for j, name in enumerate(features):
        np.testing.assert_array_equal(F[:, j], definitions[name])

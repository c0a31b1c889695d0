from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnplay.core.data import datasets
from nnplay.core.data.datasets import DATASETS, REGRESSION, Dataset, DatasetError, load_csv, make_dataset, sample_points

GENERATED = tuple(name for name in DATASETS if name != "csv")
CLASSIFICATION = tuple(name for name in GENERATED if name not in REGRESSION)


def _write(tmp_path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- shapes and types


def test_dataset_names_and_regression_set():
    assert DATASETS == (
        "quadrants",
        "quadrants-centres",
        "circle",
        "xor",
        "gauss",
        "spiral",
        "moons",
        "reg-plane",
        "reg-gauss",
        "csv",
    )
    assert REGRESSION == {"reg-plane", "reg-gauss"}


@pytest.mark.parametrize("name", GENERATED)
def test_shapes_dtypes_and_metadata(name):
    ds = make_dataset(name, 101, 37, 0.1, seed=3)
    assert isinstance(ds, Dataset)
    assert ds.name == name
    n_train = 4 if name == "quadrants-centres" else 101
    assert ds.X_train.shape == (n_train, 2)
    assert ds.y_train.shape == (n_train,)
    assert ds.X_test.shape == (37, 2)
    assert ds.y_test.shape == (37,)
    assert ds.X_train.dtype == np.float64 and ds.X_test.dtype == np.float64
    assert np.isfinite(ds.X_train).all() and np.isfinite(ds.X_test).all()
    if name in REGRESSION:
        assert ds.is_regression
        assert ds.n_classes == 0 and ds.class_names == ()
        assert ds.y_train.dtype == np.float64
        for y in (ds.y_train, ds.y_test):
            assert y.min() >= -1.0 and y.max() <= 1.0
    else:
        assert not ds.is_regression
        assert ds.y_train.dtype == np.int64 and ds.y_test.dtype == np.int64
        assert len(ds.class_names) == ds.n_classes
        for y in (ds.y_train, ds.y_test):
            assert y.min() >= 0 and y.max() < ds.n_classes
    expected_extent = 1.0 if name.startswith("quadrants") else 6.0
    assert ds.extent == expected_extent
    # Points stay inside the plotted square (moons/gauss noise aside).
    if name not in ("gauss", "moons", "spiral"):
        assert np.abs(ds.X_train).max() <= ds.extent


def test_class_counts_and_names():
    assert make_dataset("quadrants", 10, 0, 0, 0).n_classes == 4
    assert make_dataset("quadrants", 10, 0, 0, 0).class_names == ("x>0,y>0", "x<0,y>0", "x>0,y<0", "x<0,y<0")
    for name in ("circle", "xor", "gauss", "spiral", "moons"):
        ds = make_dataset(name, 10, 0, 0, 0)
        assert ds.n_classes == 2
        assert ds.class_names == ("orange", "blue")


def test_arrays_are_read_only():
    ds = make_dataset("circle", 10, 5, 0, 0)
    with pytest.raises(ValueError):
        ds.X_train[0, 0] = 1.0
    with pytest.raises(ValueError):
        ds.y_test[0] = 1


@pytest.mark.parametrize("name", GENERATED)
def test_zero_test_points(name):
    ds = make_dataset(name, 8, 0, 0.2, seed=1)
    assert ds.X_test.shape == (0, 2) and ds.y_test.shape == (0,)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(GENERATED),
    n_train=st.integers(1, 60),
    n_test=st.integers(0, 60),
    noise=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_size_gives_exact_counts(name, n_train, n_test, noise, seed):
    ds = make_dataset(name, n_train, n_test, noise, seed)
    assert len(ds.X_train) == (4 if name == "quadrants-centres" else n_train)
    assert len(ds.y_test) == n_test
    if ds.is_regression:
        assert np.all(np.abs(ds.y_train) <= 1.0)
    else:
        assert set(np.unique(ds.y_train)) <= set(range(ds.n_classes))


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_identical_different_seed_differs(name):
    a = make_dataset(name, 50, 20, 0.2, seed=7)
    b = make_dataset(name, 50, 20, 0.2, seed=7)
    c = make_dataset(name, 50, 20, 0.2, seed=8)
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_test, c.X_test)
    if name != "quadrants-centres":  # its training set is fixed by design
        assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("name", [n for n in GENERATED if n != "spiral"])
def test_test_points_are_fresh_draws(name):
    ds = make_dataset(name, 200, 100, 0.0, seed=11)
    train = {tuple(row) for row in ds.X_train}
    assert not any(tuple(row) in train for row in ds.X_test)
    # No duplicates inside the test set either.
    assert len({tuple(row) for row in ds.X_test}) == len(ds.X_test)


def test_spiral_with_noise_has_no_shared_points():
    ds = make_dataset("spiral", 200, 100, 0.1, seed=11)
    train = {tuple(row) for row in ds.X_train}
    assert not any(tuple(row) in train for row in ds.X_test)


def test_train_is_shuffled():
    # Generators emit classes in blocks; after the split both classes must be mixed.
    ds = make_dataset("gauss", 100, 0, 0.0, seed=0)
    first_half = ds.y_train[:50]
    assert 10 < first_half.sum() < 40


# --------------------------------------------------------------------------- labels


def _quadrant_rule(X):
    return np.where(X[:, 0] > 0, np.where(X[:, 1] > 0, 0, 2), np.where(X[:, 1] > 0, 1, 3))


def test_quadrants_labels_match_sign_rule_at_zero_noise():
    ds = make_dataset("quadrants", 500, 200, 0.0, seed=2)
    np.testing.assert_array_equal(ds.y_train, _quadrant_rule(ds.X_train))
    np.testing.assert_array_equal(ds.y_test, _quadrant_rule(ds.X_test))
    assert np.abs(ds.X_train).max() <= 1.0
    counts = np.bincount(ds.y_train, minlength=4)
    assert counts.min() > 90  # roughly 125 each


def test_quadrants_noise_flips_labels_only_near_axes():
    ds = make_dataset("quadrants", 4000, 0, 0.2, seed=2)
    wrong = ds.y_train != _quadrant_rule(ds.X_train)
    assert 0.02 < wrong.mean() < 0.25
    # std is 0.1, so a flipped point is almost never further than 0.5 from an axis.
    near_axis = np.minimum(np.abs(ds.X_train[:, 0]), np.abs(ds.X_train[:, 1]))
    assert near_axis[wrong].max() < 0.5


def test_quadrants_centres_exact_points():
    ds = make_dataset("quadrants-centres", 999, 30, 0.0, seed=5)
    np.testing.assert_array_equal(ds.X_train, [[0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]])
    np.testing.assert_array_equal(ds.y_train, [0, 1, 2, 3])
    np.testing.assert_array_equal(ds.y_test, _quadrant_rule(ds.X_test))
    assert ds.n_classes == 4 and ds.extent == 1.0


def test_quadrants_centres_test_set_uses_the_noise_rule():
    ds = make_dataset("quadrants-centres", 4, 4000, 0.2, seed=5)
    np.testing.assert_array_equal(ds.X_train, [[0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]])
    wrong = np.mean(ds.y_test != _quadrant_rule(ds.X_test))
    assert 0.02 < wrong < 0.25


def test_circle_labels_and_radii_at_zero_noise():
    ds = make_dataset("circle", 400, 0, 0.0, seed=4)
    r = np.hypot(ds.X_train[:, 0], ds.X_train[:, 1])
    inner = ds.y_train == 1
    assert inner.sum() == 200
    assert r[inner].max() < 2.5
    assert r[~inner].min() >= 3.5 and r[~inner].max() <= 5.0


def test_circle_noise_flips_some_labels():
    ds = make_dataset("circle", 2000, 0, 0.5, seed=4)
    r = np.hypot(ds.X_train[:, 0], ds.X_train[:, 1])
    assert 0.05 < np.mean(ds.y_train != (r < 2.5)) < 0.5


@pytest.mark.parametrize(("name", "first_label"), [("circle", 1), ("gauss", 1), ("spiral", 1), ("moons", 0)])
def test_odd_count_gives_extra_point_to_first_group(name, first_label):
    _, y = sample_points(name, 7, 0.0, np.random.default_rng(0))
    assert len(y) == 7
    assert np.sum(y == first_label) == 4


def test_xor_labels_and_padding_at_zero_noise():
    ds = make_dataset("xor", 1000, 0, 0.0, seed=6)
    X = ds.X_train
    np.testing.assert_array_equal(ds.y_train, (np.sign(X[:, 0] * X[:, 1]) > 0).astype(int))
    assert np.abs(X).min() >= 0.3  # padding keeps points off the axes
    assert np.abs(X).max() <= 5.3
    assert 400 < ds.y_train.sum() < 600


def test_xor_noise_flips_labels():
    ds = make_dataset("xor", 2000, 0, 0.5, seed=6)
    X = ds.X_train
    assert 0.05 < np.mean(ds.y_train != (X[:, 0] * X[:, 1] >= 0)) < 0.5


def test_gauss_centres_and_spread():
    ds = make_dataset("gauss", 4000, 0, 0.0, seed=8)
    pos = ds.X_train[ds.y_train == 1]
    neg = ds.X_train[ds.y_train == 0]
    assert len(pos) == len(neg) == 2000
    np.testing.assert_allclose(pos.mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(neg.mean(axis=0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(pos.std(axis=0), np.sqrt(0.5), rtol=0.08)


@pytest.mark.parametrize(("noise", "variance"), [(0.25, 2.25), (0.5, 4.0), (3.0, 4.0)])
def test_gauss_variance_follows_tf_map(noise, variance):
    X, y = sample_points("gauss", 8000, noise, np.random.default_rng(1))
    np.testing.assert_allclose(X[y == 1].std(axis=0), np.sqrt(variance), rtol=0.06)


def test_spiral_arms_at_zero_noise():
    n = 100
    X, y = sample_points("spiral", n, 0.0, np.random.default_rng(0))
    assert np.bincount(y).tolist() == [50, 50]
    r = np.hypot(X[:, 0], X[:, 1])
    expected = np.arange(50) / 50 * 5
    for label in (0, 1):
        np.testing.assert_allclose(np.sort(r[y == label]), expected, atol=1e-12)
    # Arm 1 at i: angle t = 1.75*i/50*2pi with x = r sin t, y = r cos t; arm 0 is rotated by pi.
    i = 10
    r_i, t_i = i / 50 * 5, 1.75 * i / 50 * 2 * np.pi
    point = np.array([r_i * np.sin(t_i), r_i * np.cos(t_i)])
    assert np.any(np.all(np.isclose(X[y == 1], point), axis=1))
    assert np.any(np.all(np.isclose(X[y == 0], -point), axis=1))


def test_spiral_odd_count_and_noise_bound():
    X, y = sample_points("spiral", 11, 0.0, np.random.default_rng(0))
    assert np.bincount(y).tolist() == [5, 6]
    assert np.hypot(X[:, 0], X[:, 1]).max() < 5.0
    clean, _ = sample_points("spiral", 400, 0.0, np.random.default_rng(1))
    noisy, _ = sample_points("spiral", 400, 0.5, np.random.default_rng(1))
    # Uniform(-1, 1) * 0.5 noise moves each coordinate by at most 0.5 (orders differ, so compare radii ranges).
    assert np.hypot(noisy[:, 0], noisy[:, 1]).max() <= 5.0 + 0.5 * np.sqrt(2)
    assert not np.allclose(np.sort(clean[:, 0]), np.sort(noisy[:, 0]))


def test_moons_shape_at_zero_noise():
    X, y = sample_points("moons", 1000, 0.0, np.random.default_rng(3))
    assert np.bincount(y).tolist() == [500, 500]
    raw = X / 2.5 + [0.5, 0.25]  # undo scaling and centring
    outer, inner = raw[y == 0], raw[y == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    assert outer[:, 1].min() >= 0 and inner[:, 1].max() <= 0.5
    assert np.abs(X).max() <= 3.75 + 1e-12


def test_moons_noise_is_gaussian_with_scaled_std():
    rng = np.random.default_rng(3)
    X, y = sample_points("moons", 4000, 0.1, rng)
    raw = X / 2.5 + [0.5, 0.25]
    outer = raw[y == 0]
    radial = np.hypot(outer[:, 0], outer[:, 1]) - 1.0
    assert 0.07 < radial.std() < 0.13


def test_reg_plane_targets_at_zero_noise():
    ds = make_dataset("reg-plane", 500, 100, 0.0, seed=9)
    expected = np.clip(ds.X_train.sum(axis=1) / 10, -1, 1)
    np.testing.assert_allclose(ds.y_train, expected)
    assert ds.y_train.min() == -1.0 and ds.y_train.max() == 1.0  # corners get clipped


def test_reg_plane_noise_changes_targets():
    ds = make_dataset("reg-plane", 500, 0, 0.3, seed=9)
    expected = np.clip(ds.X_train.sum(axis=1) / 10, -1, 1)
    assert np.abs(ds.y_train - expected).max() > 0.1
    assert np.abs(ds.y_train).max() <= 1.0


def _reg_gauss_reference(x, y):
    # Direct transcription of TF's getLabel, one point at a time.
    label = 0.0
    for cx, cy, sign in [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]:
        d = np.hypot(x - cx, y - cy)
        value = sign * min(1.0, max(0.0, 1 - d / 2))
        if abs(value) > abs(label):
            label = value
    return label


def test_reg_gauss_matches_tf_get_label():
    ds = make_dataset("reg-gauss", 300, 0, 0.0, seed=10)
    expected = [_reg_gauss_reference(x, y) for x, y in ds.X_train]
    np.testing.assert_allclose(ds.y_train, expected)
    assert np.abs(ds.y_train).max() <= 1.0
    assert (ds.y_train > 0.3).any() and (ds.y_train < -0.3).any()


def test_reg_gauss_peaks():
    ref = _reg_gauss_reference
    assert ref(-4, 2.5) == 1.0 and ref(0, 2.5) == -1.0 and ref(4, -2.5) == -1.0
    assert ref(0, 0) == 0.0  # 2.5 from every centre: outside every bump


@pytest.mark.parametrize("name", GENERATED)
def test_sample_points_shapes_and_determinism(name):
    X1, y1 = sample_points(name, 33, 0.1, np.random.default_rng(4))
    X2, y2 = sample_points(name, 33, 0.1, np.random.default_rng(4))
    assert X1.shape == (33, 2) and y1.shape == (33,)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_sample_points_quadrants_centres_gives_random_quadrant_points():
    X, y = sample_points("quadrants-centres", 200, 0.0, np.random.default_rng(0))
    assert len(np.unique(X[:, 0])) == 200
    np.testing.assert_array_equal(y, _quadrant_rule(X))


def test_sample_points_rejects_csv_and_unknown():
    with pytest.raises(DatasetError, match="dataset 'csv' has no generator; fresh points exist for: quadrants,"):
        sample_points("csv", 5, 0.0, np.random.default_rng(0))
    with pytest.raises(DatasetError, match="unknown dataset 'swirl'"):
        sample_points("swirl", 5, 0.0, np.random.default_rng(0))
    with pytest.raises(DatasetError, match="n must be >= 0"):
        sample_points("xor", -1, 0.0, np.random.default_rng(0))


# --------------------------------------------------------------------------- validation


def test_unknown_name_lists_allowed():
    with pytest.raises(DatasetError) as info:
        make_dataset("spirals", 10, 5, 0.0, 0)
    message = str(info.value)
    assert "'spirals'" in message
    for name in DATASETS:
        assert name in message


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"n_train": 0}, "n_train must be >= 1"),
        ({"n_train": -3}, "n_train must be >= 1"),
        ({"n_train": 2.5}, "n_train must be a whole number"),
        ({"n_train": True}, "n_train must be a whole number"),
        ({"n_test": -1}, "n_test must be >= 0"),
        ({"noise": -0.1}, "noise must be a finite number >= 0"),
        ({"noise": float("nan")}, "noise must be a finite number >= 0"),
        ({"noise": float("inf")}, "noise must be a finite number >= 0"),
        ({"noise": "lots"}, "noise must be a finite number >= 0"),
    ],
)
def test_bad_arguments(kwargs, fragment):
    args = {"name": "circle", "n_train": 10, "n_test": 5, "noise": 0.0, "seed": 0} | kwargs
    with pytest.raises(DatasetError, match=fragment):
        make_dataset(**args)


def test_dataset_error_is_value_error():
    assert issubclass(DatasetError, ValueError)


def test_numpy_integer_counts_accepted():
    ds = make_dataset("xor", np.int64(5), np.int32(2), np.float32(0.1), 0)
    assert len(ds.X_train) == 5 and len(ds.X_test) == 2


# --------------------------------------------------------------------------- CSV: good files


def test_csv_classification_with_header(tmp_path):
    path = _write(
        tmp_path,
        "x,y,label\n# a comment\n\n1,2,5\n-3,4,7\n 0.5 , -0.5 , 5 \n2,2,-1\n",
    )
    X, y, is_regression = load_csv(path)
    assert not is_regression
    np.testing.assert_array_equal(X, [[1, 2], [-3, 4], [0.5, -0.5], [2, 2]])
    # Classes -1, 5, 7 -> 0, 1, 2 in sorted order.
    np.testing.assert_array_equal(y, [1, 2, 1, 0])
    assert y.dtype == np.int64 and X.dtype == np.float64


def test_csv_classification_without_header_and_float_integers(tmp_path):
    path = _write(tmp_path, "0,0,1.0\r\n1,1,0.0\r\n2,2,1\r\n")
    X, y, is_regression = load_csv(path)
    assert not is_regression
    np.testing.assert_array_equal(X, [[0, 0], [1, 1], [2, 2]])
    np.testing.assert_array_equal(y, [1, 0, 1])


def test_csv_regression_scaled_by_max_abs(tmp_path):
    path = _write(tmp_path, "a,b,target\n0,0,0.5\n1,0,-2\n0,1,1.25\n")
    X, y, is_regression = load_csv(path)
    assert is_regression
    np.testing.assert_array_equal(X, [[0, 0], [1, 0], [0, 1]])
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, [0.25, -1.0, 0.625])


def test_csv_utf8_bom_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffx,y,label\n0,0,0\n1,1,1\n".encode())
    X, y, _ = load_csv(str(path))
    np.testing.assert_array_equal(X, [[0, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1])


def test_make_dataset_csv_split_and_extent(tmp_path):
    rows = "\n".join(f"{i},{-i / 2},{i % 3}" for i in range(40))
    path = _write(tmp_path, "x,y,c\n" + rows + "\n")
    ds = make_dataset("csv", 300, 100, 0.0, seed=1, csv_path=path)
    assert ds.name == "csv"
    assert len(ds.X_train) == 30 and len(ds.X_test) == 10  # test fraction 100/400
    assert ds.n_classes == 3 and ds.class_names == ("0", "1", "2")
    assert ds.extent == pytest.approx(39 * 1.1)
    # Every row lands in exactly one split, with its own label.
    together = np.concatenate([ds.X_train, ds.X_test])
    labels = np.concatenate([ds.y_train, ds.y_test])
    order = np.argsort(together[:, 0])
    np.testing.assert_array_equal(together[order, 0], np.arange(40))
    np.testing.assert_array_equal(labels[order], np.arange(40) % 3)
    # Shuffled with the seed: deterministic, and not the file order.
    again = make_dataset("csv", 300, 100, 0.0, seed=1, csv_path=path)
    np.testing.assert_array_equal(ds.X_train, again.X_train)
    assert not np.array_equal(ds.X_train[:, 0], np.arange(30))


def test_make_dataset_csv_regression_and_minimum_train(tmp_path):
    path = _write(tmp_path, "0,0,0.1\n0,0,0.2\n")
    ds = make_dataset("csv", 1, 1000, 0.0, seed=0, csv_path=path)
    assert ds.is_regression and ds.n_classes == 0 and ds.class_names == ()
    assert len(ds.X_train) == 1 and len(ds.X_test) == 1
    assert ds.extent == 1.0  # all coordinates are zero


def test_make_dataset_csv_needs_path():
    with pytest.raises(DatasetError, match="csv_path"):
        make_dataset("csv", 10, 5, 0.0, 0)


# --------------------------------------------------------------------------- CSV: bad files


def test_csv_missing_file(tmp_path):
    missing = str(tmp_path / "nope.csv")
    with pytest.raises(DatasetError, match="no such file") as info:
        load_csv(missing)
    assert missing in str(info.value)


def test_csv_directory(tmp_path):
    with pytest.raises(DatasetError, match="is a directory"):
        load_csv(str(tmp_path))


def test_csv_not_utf8_names_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"x,y,label\n0,0,0\n1,1,caf\xe9\n")
    with pytest.raises(DatasetError, match=r"line 3: not UTF-8 text \(byte 0xe9\)"):
        load_csv(str(path))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x,y,label\n0,0,0\n1,1\n", "line 3: expected 3 fields x,y,label, got 2"),
        ("0,0,0\n1,1,1,1\n", "line 2: expected 3 fields x,y,label, got 4"),
        ("0,0,0\n1,abc,1\n", "line 2: y value 'abc' is not a number"),
        ("0,0,0\n\n# c\n1,1,one\n", "line 4: label value 'one' is not a number"),
        ("0,0,0\nx,y,label\n", "line 2: x value 'x' is not a number"),  # header only allowed first
        ("0,0,0\n1,nan,1\n", "line 2: y value 'nan' is not finite"),
        ("0,0,0\ninf,1,1\n", "line 2: x value 'inf' is not finite"),
        ("0,0,0\n1,1,1e999\n", "line 2: label value '1e999' is not finite"),
        ("x,y,label\n", "0 data row\\(s\\); need at least 2"),
        ("x,y,label\n1,1,1\n", "1 data row\\(s\\); need at least 2"),
        ("", "0 data row"),
        ("0,0,3\n1,1,3\n", "every label is 3; classification needs 2..16"),
    ],
)
def test_csv_bad_content(tmp_path, text, fragment):
    path = _write(tmp_path, text)
    with pytest.raises(DatasetError, match=fragment) as info:
        load_csv(path)
    message = str(info.value)
    assert message.startswith(path + ": ")
    assert "\n" not in message


def test_csv_too_many_rows_names_line(tmp_path):
    path = _write(tmp_path, "x,y,l\n" + "".join(f"{i},0,{i % 2}\n" for i in range(6)))
    X, _, _ = load_csv(path, max_rows=6)
    assert len(X) == 6
    path = _write(tmp_path, "x,y,l\n" + "".join(f"{i},0,{i % 2}\n" for i in range(7)))
    with pytest.raises(DatasetError, match="line 8: more than 6 data rows"):
        load_csv(path, max_rows=6)


def test_csv_too_many_classes_names_line(tmp_path):
    rows = "".join(f"{i},0,{i}\n" for i in range(4))
    # Class 3 (the 4th) first appears on line 6; later rows repeat known classes.
    path = _write(tmp_path, "0,0,0\n1,0,0\n" + rows + "5,5,1\n6,6,3\n")
    with pytest.raises(DatasetError, match=r"line 6: more than 3 classes \(found 4\)"):
        load_csv(path, max_classes=3)
    _, y, is_regression = load_csv(path, max_classes=4)
    assert not is_regression and y.max() == 3


def test_csv_too_many_classes_default_limit(tmp_path):
    path = _write(tmp_path, "".join(f"{i},0,{i}\n" for i in range(17)) + "0,0,0\n")
    with pytest.raises(DatasetError, match="line 17: more than 16 classes"):
        load_csv(path)


def test_csv_file_too_large_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:  # sparse: cheap to create, never read
        fh.truncate(50 * 1024 * 1024 + 1)
    with pytest.raises(DatasetError, match="is larger than the 52,428,800-byte limit"):
        load_csv(str(path))

    def no_open(*args, **kwargs):
        raise AssertionError("the file must not be opened")

    monkeypatch.setattr(datasets, "open", no_open, raising=False)
    monkeypatch.setattr(datasets.os, "open", no_open)  # the file is opened with os.open (O_NONBLOCK)
    with pytest.raises(DatasetError, match="is larger than the 52,428,800-byte limit"):
        load_csv(str(path))


def test_csv_unreadable_file(tmp_path, monkeypatch):
    path = _write(tmp_path, "0,0,0\n1,1,1\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # chmod cannot make a file unreadable for root, so simulate the failure.
    monkeypatch.setattr(datasets.os, "open", denied)  # the file is opened with os.open (O_NONBLOCK)
    with pytest.raises(DatasetError, match=r"cannot read \(Permission denied\)") as info:
        load_csv(path)
    assert str(info.value).startswith(path)


def test_make_dataset_csv_propagates_errors(tmp_path):
    path = _write(tmp_path, "0,0,0\n1,1\n")
    with pytest.raises(DatasetError, match="line 2"):
        make_dataset("csv", 10, 5, 0.0, 0, csv_path=path)

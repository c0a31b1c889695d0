"""Toy 2-D datasets for the playground, generated with vectorised numpy.

``circle``, ``xor``, ``gauss``, ``spiral``, ``reg-plane`` and ``reg-gauss``
follow TensorFlow Playground's ``src/dataset.ts``
(https://github.com/tensorflow/playground, Apache-2.0). TF labels its two
classes -1 ("orange") and +1 ("blue"); here they are 0 and 1 so labels can
index arrays. ``quadrants`` and ``quadrants-centres`` are the article's
four-class problem; ``moons`` is sklearn's ``make_moons`` scaled to TF's plane;
``csv`` loads user data.

Every generator takes ``(n, noise, rng)`` and draws from the one
``np.random.Generator`` it is given, so a seed fixes the whole dataset.
"""

from __future__ import annotations

import math
import operator
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, NoReturn

import numpy as np

from nnplay.core.io.bounded_read import FileRefused, open_bounded

DATASETS: tuple[str, ...] = (
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
REGRESSION = frozenset({"reg-plane", "reg-gauss"})

MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_CSV_ROWS = 100_000
# Coordinates (and CSV labels) beyond this are refused: the plot's extent and every input
# feature (x^2, x*y) of a point stay finite, far from float64's 1.8e308.
MAX_COORDINATE = 1e15

# A CSV is read as a stream, a block at a time, so memory stays a few megabytes whatever the file
# holds. A line longer than MAX_CSV_LINE is refused as soon as it is seen: a row of x,y,label is
# under a hundred bytes, and a comment of 64 KB is already not one.
MAX_CSV_LINE = 64 * 1024
CSV_BLOCK = 1024 * 1024
# A line's text from its first character that is not a space to its end. Lines end in \n, \r\n
# or a lone \r (old Mac files); not splitlines(), which also breaks on form feeds and other
# separators and would make the reported line numbers wrong. Blank lines never match: they are
# skipped by the regular expression engine, not one by one.
_LINE_TEXT = re.compile(rb"\S[^\r\n]*")

QUADRANT_NAMES = ("x>0,y>0", "x<0,y>0", "x>0,y<0", "x<0,y<0")
BINARY_NAMES = ("orange", "blue")  # TF's colours for its -1 and +1 classes

Array = np.ndarray
Generator = Callable[[int, float, np.random.Generator], tuple[Array, Array]]


class DatasetError(ValueError):
    """A dataset cannot be built; the message is one line meant for the user."""


@dataclass(frozen=True, eq=False)  # eq=False: comparing ndarray fields with == is ambiguous
class Dataset:
    name: str
    X_train: Array
    y_train: Array
    X_test: Array
    y_test: Array
    n_classes: int
    extent: float
    class_names: tuple[str, ...]

    @property
    def is_regression(self) -> bool:
        return self.n_classes == 0


# --------------------------------------------------------------------------- generators


def _halves(n: int) -> tuple[int, int]:
    # For odd n the first group gets the extra point, so the total is exactly n.
    return (n + 1) // 2, n // 2


def _quadrants(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    X = rng.uniform(-1.0, 1.0, (n, 2))
    # Noise perturbs only the point used for labelling, so labels flip near the
    # axes while the plotted points stay put.
    Xn = X + rng.normal(0.0, noise * 0.5, (n, 2))
    y = (Xn[:, 0] < 0).astype(np.int64) + 2 * (Xn[:, 1] < 0)
    return X, y


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    radius = 5.0
    n_in, n_out = _halves(n)
    r = np.concatenate([rng.uniform(0.0, radius * 0.5, n_in), rng.uniform(radius * 0.7, radius, n_out)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    Xn = X + rng.uniform(-radius, radius, (n, 2)) * noise
    y = (np.hypot(Xn[:, 0], Xn[:, 1]) < radius * 0.5).astype(np.int64)
    return X, y


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    padding = 0.3
    X = rng.uniform(-5.0, 5.0, (n, 2))
    # Pushing points off the axes leaves a visible gap between the four blocks.
    X += np.where(X > 0, padding, -padding)
    Xn = X + rng.uniform(-5.0, 5.0, (n, 2)) * noise
    y = (Xn[:, 0] * Xn[:, 1] >= 0).astype(np.int64)
    return X, y


def _gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    # TF maps the 0..50% noise slider linearly onto variance 0.5..4.
    variance = 0.5 + min(max(noise, 0.0), 0.5) / 0.5 * 3.5
    n_pos, n_neg = _halves(n)
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [n_pos, n_neg], axis=0)
    X = centres + rng.normal(0.0, math.sqrt(variance), (n, 2))
    y = np.repeat(np.array([1, 0], dtype=np.int64), [n_pos, n_neg])
    return X, y


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    n_pos, n_neg = _halves(n)
    # TF divides by numSamples / 2 (a float), so radii stay below 5 even for odd n.
    half = max(n / 2, 0.5)
    i = np.concatenate([np.arange(n_pos), np.arange(n_neg)]).astype(np.float64)
    delta = np.repeat([0.0, np.pi], [n_pos, n_neg])
    r = i / half * 5.0
    t = 1.75 * i / half * 2 * np.pi + delta
    X = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1.0, 1.0, (n, 2)) * noise
    y = np.repeat(np.array([1, 0], dtype=np.int64), [n_pos, n_neg])
    return X, y


def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    scale = 2.5
    n_outer = _halves(n)[0]
    # Random angles rather than sklearn's linspace, so test points are fresh
    # positions and not the training curve resampled.
    t = rng.uniform(0.0, np.pi, n)
    outer = np.arange(n) < n_outer
    x = np.where(outer, np.cos(t), 1.0 - np.cos(t))
    y_coord = np.where(outer, np.sin(t), 0.5 - np.sin(t))
    # The raw moons span x in [-1, 2], y in [-0.5, 1]; centre them on the origin.
    X = (np.column_stack([x, y_coord]) - [0.5, 0.25]) * scale
    X += rng.normal(0.0, noise * scale, (n, 2))
    y = (~outer).astype(np.int64)
    return X, y


def _reg_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    radius = 6.0
    X = rng.uniform(-radius, radius, (n, 2))
    Xn = X + rng.uniform(-radius, radius, (n, 2)) * noise
    # TF maps x+y from [-10, 10] onto [-1, 1] but never clips; the corners reach
    # +-1.2 (more with noise), so clip to keep targets in a tanh output's range.
    y = np.clip((Xn[:, 0] + Xn[:, 1]) / 10.0, -1.0, 1.0)
    return X, y


_GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)


def _reg_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    radius = 6.0
    X = rng.uniform(-radius, radius, (n, 2))
    Xn = X + rng.uniform(-radius, radius, (n, 2)) * noise
    dist = np.hypot(Xn[:, 0:1] - _GAUSSIANS[:, 0], Xn[:, 1:2] - _GAUSSIANS[:, 1])  # (n, 6)
    values = _GAUSSIANS[:, 2] * np.maximum(0.0, 1.0 - dist / 2.0)
    # TF keeps the first bump with the largest |value|; argmax also picks the first.
    pick = np.argmax(np.abs(values), axis=1)
    y = values[np.arange(n), pick] + 0.0  # + 0.0 turns -0.0 into 0.0
    return X, y


_GENERATORS: dict[str, Generator] = {
    "quadrants": _quadrants,
    "quadrants-centres": _quadrants,  # its test set and fresh points are ordinary quadrant points
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
    "reg-plane": _reg_plane,
    "reg-gauss": _reg_gauss,
}

_EXTENT = {"quadrants": 1.0, "quadrants-centres": 1.0}  # everything else is TF's [-6, 6] plane

_CENTRES_X = np.array([[0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]])
_CENTRES_Y = np.array([0, 1, 2, 3], dtype=np.int64)


# --------------------------------------------------------------------------- public API


def make_dataset(
    name: str,
    n_train: int,
    n_test: int,
    noise: float,
    seed: int,
    csv_path: str | os.PathLike[str] | None = None,
) -> Dataset:
    """Build the named dataset; the same arguments always give identical arrays."""
    _check_name(name, DATASETS)
    n_train = _check_count("n_train", n_train, minimum=1)
    n_test = _check_count("n_test", n_test, minimum=0)
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)

    if name == "csv":
        if csv_path is None:
            raise DatasetError("dataset 'csv' needs a file: pass csv_path (rows of x,y,label)")
        return _csv_dataset(csv_path, n_train, n_test, rng)

    if name == "quadrants-centres":
        X_test, y_test = _quadrants(n_test, noise, rng)
        return _build(name, _CENTRES_X.copy(), _CENTRES_Y.copy(), X_test, y_test, 4, 1.0, QUADRANT_NAMES)

    X, y = _GENERATORS[name](n_train + n_test, noise, rng)
    # Generators emit points grouped by class; shuffle so the split is unbiased.
    perm = rng.permutation(n_train + n_test)
    X, y = X[perm], y[perm]
    if name in REGRESSION:
        n_classes, class_names = 0, ()
    elif name == "quadrants":
        n_classes, class_names = 4, QUADRANT_NAMES
    else:
        n_classes, class_names = 2, BINARY_NAMES
    extent = _EXTENT.get(name, 6.0)
    return _build(name, X[:n_train], y[:n_train], X[n_train:], y[n_train:], n_classes, extent, class_names)


def sample_points(name: str, n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """Fresh, shuffled points of a generated dataset (``csv`` has no generator)."""
    if name == "csv":
        raise DatasetError(f"dataset 'csv' has no generator; fresh points exist for: {', '.join(_GENERATORS)}")
    _check_name(name, tuple(_GENERATORS))
    n = _check_count("n", n, minimum=0)
    noise = _check_noise(noise)
    X, y = _GENERATORS[name](n, noise, rng)
    perm = rng.permutation(n)
    return X[perm], y[perm]


def load_csv(
    path: str | os.PathLike[str], max_rows: int = MAX_CSV_ROWS, max_classes: int = 16
) -> tuple[Array, Array, bool]:
    """Read ``x,y,label`` rows; return ``(X, y, is_regression)``.

    Integer-valued labels mean classification (remapped to 0..K-1 in sorted
    order); any other label means regression (scaled into [-1, 1]).
    """
    X, y, is_regression, _ = _read_csv(path, max_rows, max_classes)
    return X, y, is_regression


# --------------------------------------------------------------------------- helpers


def _build(
    name: str,
    X_train: Array,
    y_train: Array,
    X_test: Array,
    y_test: Array,
    n_classes: int,
    extent: float,
    class_names: tuple[str, ...],
) -> Dataset:
    label_dtype = np.float64 if n_classes == 0 else np.int64
    arrays = []
    for a, dtype in ((X_train, np.float64), (y_train, label_dtype), (X_test, np.float64), (y_test, label_dtype)):
        a = np.ascontiguousarray(a, dtype=dtype)
        # The dataclass is frozen; make the arrays match so nobody edits a shared dataset.
        a.flags.writeable = False
        arrays.append(a)
    return Dataset(name, *arrays, n_classes=n_classes, extent=float(extent), class_names=tuple(class_names))


def _check_name(name: str, allowed: tuple[str, ...]) -> None:
    if name not in allowed:
        raise DatasetError(f"unknown dataset {name!r}; allowed: {', '.join(allowed)}")


def _check_count(label: str, value: int, minimum: int) -> int:
    try:
        if isinstance(value, bool):
            raise TypeError
        n = operator.index(value)
    except TypeError:
        raise DatasetError(f"{label} must be a whole number >= {minimum}, got {value!r}") from None
    if n < minimum:
        raise DatasetError(f"{label} must be >= {minimum}, got {n}")
    return n


def _check_noise(noise: float) -> float:
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise DatasetError(f"noise must be a finite number >= 0, got {noise!r}") from None
    if not math.isfinite(value) or value < 0:
        raise DatasetError(f"noise must be a finite number >= 0, got {noise!r}")
    return value


def _csv_dataset(path: str | os.PathLike[str], n_train: int, n_test: int, rng: np.random.Generator) -> Dataset:
    X, y, is_regression, class_names = _read_csv(path)
    n = len(X)
    # n_train/n_test are proportions here: the file decides how many points exist.
    test_count = min(round(n * n_test / (n_train + n_test)), n - 1)
    perm = rng.permutation(n)
    X, y = X[perm], y[perm]
    split = n - test_count
    biggest = float(np.max(np.abs(X)))
    extent = biggest * 1.1 if biggest > 0 else 1.0
    n_classes = 0 if is_regression else len(class_names)
    return _build("csv", X[:split], y[:split], X[split:], y[split:], n_classes, extent, class_names)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _line_ends(data: bytes, start: int, end: int) -> int:
    """How many lines end in ``data[start:end]`` (``\r\n`` is one end, never split by the bounds)."""
    return data.count(b"\n", start, end) + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)


def _csv_lines(fh: BinaryIO, where: str) -> Iterator[tuple[int, bytes]]:
    """(line number, text) of each line of ``fh`` that is not blank, its leading spaces left out.

    Read a block at a time; the unfinished line at the end of a block is carried into the next,
    and refused once it is longer than MAX_CSV_LINE, without reading the rest of it."""
    lineno, carry, read = 1, b"", 0
    while True:
        block = fh.read(CSV_BLOCK)
        read += len(block)
        if read > MAX_CSV_BYTES:  # the file grew after its size was checked
            raise DatasetError(f"{where}: grew past the {MAX_CSV_BYTES:,}-byte limit while it was read")
        data = carry + block if carry else block
        if block:
            cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if cut == len(data) and data.endswith(b"\r"):
                cut -= 1  # its \n may start the next block
        else:
            cut = len(data)
        if len(data) - cut > MAX_CSV_LINE:
            _too_long(where, lineno + _line_ends(data, 0, cut))
        at = 0
        for match in _LINE_TEXT.finditer(data, 0, cut):
            lineno += _line_ends(data, at, match.start())
            at = match.start()
            if match.end() - at > MAX_CSV_LINE:
                _too_long(where, lineno)
            yield lineno, match.group()
        lineno += _line_ends(data, at, cut)
        carry = data[cut:]
        if not block:
            return


def _too_long(where: str, lineno: int) -> NoReturn:
    raise DatasetError(f"{where}: line {lineno}: longer than {MAX_CSV_LINE:,} bytes; expected rows of x,y,label")


def _csv_value(where: str, lineno: int, column: str, field: str) -> float:
    try:
        value = float(field)
    except ValueError:
        raise DatasetError(f"{where}: line {lineno}: {column} value {_short(field)} is not a number") from None
    if not math.isfinite(value):
        raise DatasetError(f"{where}: line {lineno}: {column} value {_short(field)} is not finite; use finite numbers")
    if abs(value) > MAX_COORDINATE:
        raise DatasetError(
            f"{where}: line {lineno}: {column} value {_short(field)} is too large; "
            f"the limit is ±{MAX_COORDINATE:g} (rescale the data)"
        )
    return value


def _read_csv(
    path: str | os.PathLike[str], max_rows: int = MAX_CSV_ROWS, max_classes: int = 16
) -> tuple[Array, Array, bool, tuple[str, ...]]:
    where = os.fspath(path)
    try:
        opened = open_bounded(where, MAX_CSV_BYTES)
    except FileRefused as exc:
        raise DatasetError(f"{where}: {exc}; expected a CSV file of x,y,label rows") from None
    rows: list[tuple[float, float, float]] = []
    line_numbers: list[int] = []
    other_lines = 0
    first = True
    with opened as fh:
        for lineno, raw in _csv_lines(fh, where):
            try:
                line = raw.decode("utf-8").strip()
                if lineno == 1:
                    line = line.removeprefix("\ufeff")  # spreadsheets often write a byte-order mark
            except UnicodeDecodeError as exc:
                raise DatasetError(
                    f"{where}: line {lineno}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
                ) from None
            if not line or line.startswith("#"):
                other_lines += 1
                if other_lines > max_rows:
                    raise DatasetError(f"{where}: line {lineno}: more than {max_rows} comment lines")
                continue
            fields = [field.strip() for field in line.split(",", 3)]
            if first:
                first = False
                if not _is_number(fields[0]):
                    continue  # header line
            if len(fields) != 3:
                got = line.count(",") + 1
                raise DatasetError(f"{where}: line {lineno}: expected 3 fields x,y,label, got {got}")
            columns = ("x", "y", "label")
            values = [_csv_value(where, lineno, column, field) for column, field in zip(columns, fields, strict=True)]
            if len(rows) >= max_rows:
                raise DatasetError(f"{where}: line {lineno}: more than {max_rows} data rows; the limit is {max_rows}")
            rows.append((values[0], values[1], values[2]))
            line_numbers.append(lineno)

    if len(rows) < 2:
        raise DatasetError(f"{where}: {len(rows)} data row(s); need at least 2 rows of x,y,label")
    table = np.array(rows, dtype=np.float64)
    X, labels = table[:, :2].copy(), table[:, 2].copy()

    if np.all(labels == np.floor(labels)):
        classes, first_seen = np.unique(labels, return_index=True)
        if len(classes) > max_classes:
            # Point at the row that introduced the first class over the limit.
            culprit = line_numbers[int(np.sort(first_seen)[max_classes])]
            raise DatasetError(
                f"{where}: line {culprit}: more than {max_classes} classes (found {len(classes)}); "
                f"whole-number labels are classes, so use 2..{max_classes} of them or non-integer regression targets"
            )
        if len(classes) < 2:
            raise DatasetError(
                f"{where}: every label is {int(classes[0])}; classification needs 2..{max_classes} distinct labels"
            )
        y = np.searchsorted(classes, labels).astype(np.int64)
        return X, y, False, tuple(str(int(v)) for v in classes)

    # Regression: scale by the largest magnitude so targets fit a tanh output.
    return X, labels / np.max(np.abs(labels)), True, ()

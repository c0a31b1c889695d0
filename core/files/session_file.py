"""Saving and loading whole sessions.

Format (documented in the README): a NumPy ``.npz`` archive read with
``allow_pickle=False``, so loading never runs code. It holds

- ``meta``: a JSON string ``{"format": "nnplay-session", "version": 1, "config": {...},
  "step", "epoch", "order_at", "optimizer_t", "diverged_at", "rng": {...}, "dropout_rng": {...}}``
  (``dropout_rng`` since it was kept; a file without it loads, its dropout masks drawn afresh)
- ``params``, ``initial_params``: the flat parameter vector (weights then biases, in
  layer order, each weight matrix row-major with rows = receiving neurons)
- ``optimizer_state``: (2, n_params) momentum / Adam moments
- ``history``: rows of ``step, epoch, train_loss, test_loss, train_accuracy, test_accuracy``
- ``order``: the current epoch's sample order
- ``X_train, y_train, X_test, y_test``: the data itself, so a CSV or edited data set
  reloads without its source.

Saves go through ``core.io.output_file.atomic_write``: a temporary file in the same folder,
fsynced, then renamed over the target, so a crash mid-save leaves the old file intact.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from nnplay.core.data.datasets import MAX_COORDINATE, MAX_CSV_ROWS, REGRESSION, Dataset
from nnplay.core.engine.network import MAX_PARAMETER
from nnplay.core.io.bounded_read import FileRefused, open_bounded
from nnplay.core.io.npz_reader import ArchiveError, Member, NpzReader
from nnplay.core.io.output_file import atomic_write
from nnplay.core.io.outside_text import first_unprintable
from nnplay.core.run.trainer import HISTORY_FIELDS, MAX_TRAIN_POINTS, RunState, Trainer, diverged_message
from nnplay.core.settings.config import ConfigError, TrainConfig, check_memory
from nnplay.core.settings.memory_budget import HISTORY_CAPACITY, n_test_points

FORMAT = "nnplay-session"
VERSION = 1
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_CLASSES = 16
MAX_CLASS_NAME = 64
MAX_META_BYTES = 1024 * 1024  # as UTF-32 (numpy's text arrays): 256k characters; a real header is ~2k
MAX_JSON_DEPTH = 8  # a real header nests 3 deep (meta -> rng -> state)
MAX_INT_DIGITS = 1000  # a random state needs 39; more only costs time to parse
MAX_STEP = 10**15  # far past any run (10^8 updates a setting allows), far below int64's 9.2e18
MAX_EXTENT = MAX_COORDINATE * 1.1 * (1 + 1e-9)  # a CSV's extent is 1.1 x its largest coordinate
ARRAYS = ("params", "initial_params", "optimizer_state", "history", "order", "X_train", "y_train", "X_test", "y_test")


class SessionFileError(ValueError):
    """A session file cannot be used; the message says why in one line."""


def session_bytes(trainer: Trainer) -> bytes:
    state = trainer.state_dict()
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "config": trainer.config.as_dict(),
        "dataset": {
            "name": trainer.data.name,
            "n_classes": trainer.data.n_classes,
            "extent": trainer.data.extent,
            "class_names": list(trainer.data.class_names),
        },
        "step": state.step,
        "epoch": state.epoch,
        "order_at": state.order_at,
        "optimizer_t": state.optimizer_t,
        "diverged_at": trainer.diverged_at,
        "rng": state.rng_state,
        "dropout_rng": state.dropout_rng_state,
    }
    buf = io.BytesIO()
    np.savez(
        buf,
        meta=np.array(json.dumps(meta)),
        params=state.params,
        initial_params=trainer.initial_params,
        optimizer_state=state.optimizer_state,
        history=trainer.history.rows(),
        order=state.order,
        X_train=trainer.data.X_train,
        y_train=trainer.data.y_train,
        X_test=trainer.data.X_test,
        y_test=trainer.data.y_test,
    )
    return buf.getvalue()


def save_session(trainer: Trainer, path: str | os.PathLike[str], inputs: tuple[str, ...] = ()) -> None:
    """Write the session to ``path`` atomically; ``inputs`` are files it must not overwrite."""
    atomic_write(path, session_bytes(trainer), inputs)


def load_session(path: str | os.PathLike[str]) -> Trainer:
    """A new Trainer restored from ``path``; raises SessionFileError and touches nothing else.

    Every member's header is checked against the session's own settings and the limits
    before its data is read, and anything that goes wrong while loading is one line."""
    p = Path(path)
    try:
        return _load(p)
    except SessionFileError:
        raise
    except ConfigError as exc:
        raise SessionFileError(f"{p}: bad setting in session ({exc})") from None
    except (ArchiveError, zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise SessionFileError(f"{p}: not a readable nnplay session ({_short(exc)})") from None
    except MemoryError:
        raise SessionFileError(f"{p}: not loaded: out of memory while reading it") from None
    except Exception as exc:  # the promise is one line, whatever a crafted file finds
        raise SessionFileError(f"{p}: damaged session ({type(exc).__name__}: {_short(exc)})") from None


def _load(p: Path) -> Trainer:
    try:
        opened = open_bounded(p, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise SessionFileError(f"{p}: {exc}") from None
    with opened as fh:
        try:
            reader = NpzReader(fh)
            missing = [k for k in ("meta", *ARRAYS) if k not in reader.keys()]
            if missing:
                raise SessionFileError(f"not an nnplay session (missing {', '.join(missing)})")
            meta = _read_meta(reader)
            return _restore(reader, meta)
        except SessionFileError as exc:
            raise SessionFileError(f"{p}: {exc}") from None


def _read_meta(reader: NpzReader) -> dict[str, Any]:
    m = reader.member("meta")
    if m.dtype.kind != "U" or m.shape != ():
        raise SessionFileError("not an nnplay session (bad header)")
    if m.nbytes > MAX_META_BYTES:
        raise SessionFileError(f"header of {m.nbytes:,} bytes is over the {MAX_META_BYTES:,}-byte limit")
    try:
        text = str(reader.read(m))
    except UnicodeDecodeError:
        raise SessionFileError("not an nnplay session (header is not JSON)") from None
    meta = parse_json(text)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SessionFileError(
            f"not an nnplay session (format {_short_repr(meta.get('format') if isinstance(meta, dict) else None)})"
        )
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionFileError(f"unknown session version {_short_repr(version)}")
    if version > VERSION:
        raise SessionFileError(f"session version {version} is newer than this nnplay reads ({VERSION}); upgrade nnplay")
    return meta


def parse_json(text: str) -> Any:
    """JSON with bounded nesting and numbers: a 100,000-deep list or a 100,000-digit integer
    is refused in one line instead of exhausting the stack or the CPU."""
    depth = _json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise SessionFileError(f"header nested {depth} deep (the limit is {MAX_JSON_DEPTH})")
    try:
        return json.loads(text, parse_int=_bounded_int)
    except (json.JSONDecodeError, RecursionError):
        raise SessionFileError("not an nnplay session (header is not JSON)") from None


def _json_depth(text: str) -> int:
    """Deepest bracket nesting outside strings (a plain scan: no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise SessionFileError(f"header holds a number of {len(text):,} digits (the limit is {MAX_INT_DIGITS})")
    return int(text)


def _restore(reader: NpzReader, meta: dict[str, Any]) -> Trainer:
    config = TrainConfig.from_dict(meta.get("config"))
    ds = meta.get("dataset")
    if not isinstance(ds, dict):
        raise SessionFileError(f"damaged session (dataset {_short_repr(ds)} is not a description of the data)")
    name, n_classes, extent, class_names = _dataset_meta(ds)
    if name != config.dataset:
        raise SessionFileError(f"data set {_short_repr(name)} does not match the settings' {config.dataset!r}")
    regression = n_classes == 0
    if name != "csv" and regression != (name in REGRESSION):  # a CSV file is either
        raise SessionFileError(f"data set {name!r} cannot have {n_classes} classes")
    if not regression and not 2 <= n_classes <= MAX_CLASSES:
        raise SessionFileError(f"{n_classes} classes is outside 2..{MAX_CLASSES}")
    if len(class_names) != n_classes:
        raise SessionFileError(f"{len(class_names)} class names for {n_classes} classes")

    # Every header first, against the settings' own sizes: nothing is allocated for a lie.
    members = {k: reader.member(k) for k in ARRAYS}
    x_train, x_test = members["X_train"], members["X_test"]
    for m in (x_train, x_test):
        _check_kind(m, "fiu")
        if len(m.shape) != 2 or m.shape[1] != 2:
            raise SessionFileError(f"{m.key} must have 2 columns (x, y), not shape {m.shape}")
    n_train, n_test = x_train.shape[0], x_test.shape[0]
    if n_train == 0:
        raise SessionFileError("the session has no training points")
    if n_train > MAX_TRAIN_POINTS:
        raise SessionFileError(f"{n_train:,} training points is over the limit of {MAX_TRAIN_POINTS:,}")
    most_test = MAX_CSV_ROWS if name == "csv" else n_test_points(config.train_size, config.test_ratio)
    if n_test > most_test:
        raise SessionFileError(f"{n_test:,} test points is more than the settings make ({most_test:,})")
    check_memory(config, n_train, n_test)
    for m, n, split in ((members["y_train"], n_train, "train"), (members["y_test"], n_test, "test")):
        _check_kind(m, "f" if regression else "iu", f"{split} labels")
        if m.shape != (n,):
            raise SessionFileError(f"{split} labels do not match its points")
    n_params = _n_params([len(config.features), *config.layers, 1 if regression else n_classes])
    for key, shape in (("params", (n_params,)), ("initial_params", (n_params,)), ("optimizer_state", (2, n_params))):
        _check_kind(members[key], "fiu")
        _check_shape(members[key], shape)
    history = members["history"]
    _check_kind(history, "fiu")
    if len(history.shape) != 2 or history.shape[1] != len(HISTORY_FIELDS):
        columns = history.shape[1] if len(history.shape) == 2 else history.shape
        raise SessionFileError(f"history has {columns} columns, expected {len(HISTORY_FIELDS)}")
    if history.shape[0] > HISTORY_CAPACITY:
        raise SessionFileError(f"history has {history.shape[0]:,} rows (the most saved is {HISTORY_CAPACITY:,})")
    order = members["order"]
    if order.dtype.kind not in "iu" or order.shape != (n_train,):
        raise SessionFileError("order is not a permutation of the training points")

    a = {k: reader.read(m) for k, m in members.items()}
    X_train = _points(a["X_train"], "X_train")
    X_test = _points(a["X_test"], "X_test")
    y_train, y_test = (_labels(a[k], n_classes, split) for k, split in (("y_train", "train"), ("y_test", "test")))
    params = _parameters(a["params"], "params")
    initial = _parameters(a["initial_params"], "initial_params")
    opt_state = _finite(a["optimizer_state"], "optimizer_state")
    rows = _history(a["history"])
    if not np.array_equal(np.sort(a["order"]), np.arange(n_train)):
        raise SessionFileError("order is not a permutation of the training points")
    if not (0 < extent <= MAX_EXTENT):
        raise SessionFileError(f"extent {extent!r} is not a positive number up to {MAX_EXTENT:g}")

    step = _count(meta, "step", 0, MAX_STEP)
    epoch = _count(meta, "epoch", 0, MAX_STEP)
    at = _count(meta, "order_at", 0, n_train - 1)
    opt_t = _count(meta, "optimizer_t", 0, MAX_STEP)
    diverged = meta.get("diverged_at")
    if diverged is not None:
        diverged = _count(meta, "diverged_at", step + 1, MAX_STEP + 1)
    rng_state = _rng_state(meta.get("rng"))
    dropout_rng = meta.get("dropout_rng")
    dropout_rng_state = None if dropout_rng is None else _rng_state(dropout_rng, "dropout_rng")

    data = Dataset(name, X_train, y_train, X_test, y_test, n_classes, extent, class_names)
    for arr in (data.X_train, data.y_train, data.X_test, data.y_test):
        arr.flags.writeable = False
    trainer = Trainer(config, data)
    trainer.initial_params = initial
    trainer.restart(params)
    trainer.load_state_dict(
        RunState(step, epoch, params, opt_state, opt_t, rng_state, a["order"], at, dropout_rng_state)
    )
    trainer.history.load(rows)
    trainer.diverged_at = diverged
    if diverged is not None:
        trainer.message = diverged_message(diverged, step)
    trainer.evaluate(record=False)
    return trainer


def _dataset_meta(ds: dict[str, Any]) -> tuple[str, int, float, tuple[str, ...]]:
    name, n_classes, extent, names = (ds.get(k) for k in ("name", "n_classes", "extent", "class_names"))
    if not isinstance(name, str):
        raise SessionFileError(f"damaged session (data set name {_short_repr(name)})")
    if not isinstance(n_classes, int) or isinstance(n_classes, bool):
        raise SessionFileError(f"damaged session (n_classes {_short_repr(n_classes)} is not a whole number)")
    if not isinstance(extent, (int, float)) or isinstance(extent, bool) or not math.isfinite(extent):
        raise SessionFileError(f"extent {_short_repr(extent)} is not a positive number")
    if not isinstance(names, list) or len(names) > MAX_CLASSES:
        raise SessionFileError(f"damaged session (class names {_short_repr(names)})")
    if not all(isinstance(n, str) and len(n) <= MAX_CLASS_NAME for n in names):
        raise SessionFileError(f"damaged session (class names must be text of up to {MAX_CLASS_NAME} characters)")
    for number, class_name in enumerate(names, start=1):
        if (code := first_unprintable(class_name)) is not None:
            raise SessionFileError(
                f"class name {number} {_short_repr(class_name)} holds {code}, which is not printable text"
            )
    return name, n_classes, float(extent), tuple(names)


def _n_params(sizes: list[int]) -> int:
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


def _check_kind(m: Member, kinds: str, what: str | None = None) -> None:
    if m.dtype.kind not in kinds or m.dtype.itemsize > 8:
        if what and what.endswith("labels"):
            raise SessionFileError(
                f"{what} are not {'finite numbers' if 'f' in kinds else 'classes'} (dtype {m.dtype})"
            )
        raise SessionFileError(f"{m.key} has dtype {m.dtype} and shape {m.shape}, which does not fit the network")


def _check_shape(m: Member, shape: tuple[int, ...]) -> None:
    if m.shape != shape:
        raise SessionFileError(f"{m.key} has dtype {m.dtype} and shape {m.shape}, which does not fit the network")


def _finite(a: np.ndarray, name: str) -> np.ndarray:
    out = a.astype(np.float64)
    if not np.isfinite(out).all():
        raise SessionFileError(f"{name} contains NaN or inf")
    return out


def _points(a: np.ndarray, name: str) -> np.ndarray:
    out = _finite(a, name)
    if len(out) and np.abs(out).max() > MAX_COORDINATE:
        raise SessionFileError(f"{name} has a coordinate beyond ±{MAX_COORDINATE:g}")
    return np.ascontiguousarray(out)


def _parameters(a: np.ndarray, name: str) -> np.ndarray:
    out = _finite(a, name)
    if len(out) and np.abs(out).max() > MAX_PARAMETER:
        raise SessionFileError(f"{name} has values beyond ±{MAX_PARAMETER:g}; no network that trains gets there")
    return out


def _labels(a: np.ndarray, n_classes: int, split: str) -> np.ndarray:
    if n_classes:
        if len(a) and (a.min() < 0 or a.max() >= n_classes):
            raise SessionFileError(f"{split} labels are not classes 0..{n_classes - 1}")
        return np.ascontiguousarray(a, dtype=np.int64)
    out = a.astype(np.float64)
    if not np.isfinite(out).all() or (len(out) and np.abs(out).max() > 1.0):
        raise SessionFileError(f"{split} targets are not finite numbers in [-1, 1]")
    return out


def _history(a: np.ndarray) -> np.ndarray:
    rows = a.astype(np.float64)
    counts = rows[:, :2]
    if not (np.isfinite(counts).all() and (counts >= 0).all() and (counts <= MAX_STEP).all()):
        raise SessionFileError(f"history steps and epochs must be whole numbers in 0..{MAX_STEP:,}")
    if not (counts == np.floor(counts)).all():
        raise SessionFileError(f"history steps and epochs must be whole numbers in 0..{MAX_STEP:,}")
    losses, accuracies = rows[:, 2:4], rows[:, 4:6]
    if ((losses < 0) | (losses == -np.inf)).any():
        raise SessionFileError("history losses must be NaN or >= 0")
    if ((accuracies < 0) | (accuracies > 1)).any():
        raise SessionFileError("history accuracies must be NaN or in [0, 1]")
    return rows


def _rng_state(state: Any, key: str = "rng") -> dict[str, Any]:
    """numpy's PCG64 state, every field checked: setting a bad one raises odd errors (or none)."""
    ok = (
        isinstance(state, dict)
        and set(state) == {"bit_generator", "state", "has_uint32", "uinteger"}
        and state["bit_generator"] == "PCG64"
        and isinstance(state["state"], dict)
        and set(state["state"]) == {"state", "inc"}
        and all(_is_int(v, 0, 2**128 - 1) for v in state["state"].values())
        and _is_int(state["has_uint32"], 0, 1)
        and _is_int(state["uinteger"], 0, 2**32 - 1)
    )
    if not ok:
        raise SessionFileError(f"damaged session ({key} is not a PCG64 random state)")
    return state


def _is_int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _count(meta: dict, key: str, low: int, high: int) -> int:
    value = meta.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SessionFileError(f"{key} {_short_repr(value)} is not a count")
    if not low <= value <= high:
        raise SessionFileError(f"{key} {value:,} is outside {low:,}..{high:,}")
    return value


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]

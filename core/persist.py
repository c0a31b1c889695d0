"""Saving and loading whole sessions.

Format (documented in the README): a NumPy ``.npz`` archive read with
``allow_pickle=False``, so loading never runs code. It holds

- ``meta``: a JSON string ``{"format": "nnplay-session", "version": 1, "config": {...},
  "step", "epoch", "order_at", "optimizer_t", "diverged_at", "rng": {...}}``
- ``params``, ``initial_params``: the flat parameter vector (weights then biases, in
  layer order, each weight matrix row-major with rows = receiving neurons)
- ``optimizer_state``: (2, n_params) momentum / Adam moments
- ``history``: rows of ``step, epoch, train_loss, test_loss, train_accuracy, test_accuracy``
- ``order``: the current epoch's sample order
- ``X_train, y_train, X_test, y_test``: the data itself, so a CSV or edited data set
  reloads without its source.

Writes go to a temporary file in the same folder, are fsynced, then renamed over the
target, so a crash mid-save leaves the old file intact.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from nnplay.core.config import ConfigError, TrainConfig
from nnplay.core.datasets import REGRESSION, Dataset
from nnplay.core.trainer import HISTORY_FIELDS, Trainer

FORMAT = "nnplay-session"
VERSION = 1
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_CLASSES = 16
ARRAYS = ("params", "initial_params", "optimizer_state", "history", "order", "X_train", "y_train", "X_test", "y_test")


class SessionFileError(ValueError):
    """A session file cannot be used; the message says why in one line."""


def atomic_write(path: str | os.PathLike[str], payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that readers see the old file or the new one, never half."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            # mkstemp makes the file 0600; give it the mode a plain open() would (or the mode of
            # the file it replaces), so an export meant for sharing is readable by others.
            os.fchmod(fh.fileno(), _mode_for(target))
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
        os.umask(mask)
        return 0o666 & ~mask


def session_bytes(trainer: Trainer) -> bytes:
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
        "step": trainer.step_count,
        "epoch": trainer.epoch,
        "order_at": trainer._at,
        "optimizer_t": trainer.optimizer.t,
        "diverged_at": trainer.diverged_at,
        "rng": trainer.rng.bit_generator.state,
    }
    buf = io.BytesIO()
    np.savez(
        buf,
        meta=np.array(json.dumps(meta)),
        params=trainer.net.params,
        initial_params=trainer.initial_params,
        optimizer_state=trainer.optimizer.state,
        history=trainer.history.rows(),
        order=trainer._order,
        X_train=trainer.data.X_train,
        y_train=trainer.data.y_train,
        X_test=trainer.data.X_test,
        y_test=trainer.data.y_test,
    )
    return buf.getvalue()


def save_session(trainer: Trainer, path: str | os.PathLike[str]) -> None:
    atomic_write(path, session_bytes(trainer))


def load_session(path: str | os.PathLike[str]) -> Trainer:
    """A new Trainer restored from ``path``; raises SessionFileError and touches nothing else."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise SessionFileError(f"{p}: no such file") from None
    except OSError as exc:
        raise SessionFileError(f"{p}: cannot read ({exc.strerror})") from None
    if not p.is_file():
        raise SessionFileError(f"{p}: not a file")
    if size > MAX_FILE_BYTES:
        raise SessionFileError(f"{p}: {size:,} bytes is larger than the {MAX_FILE_BYTES:,}-byte limit for a session")
    try:
        with np.load(p, allow_pickle=False) as archive:
            missing = [k for k in ("meta", *ARRAYS) if k not in archive.files]
            if missing:
                raise SessionFileError(f"{p}: not an nnplay session (missing {', '.join(missing)})")
            arrays = {k: archive[k] for k in ARRAYS}
            meta_text = archive["meta"]
    except SessionFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        reason = _short(exc)
        if "pickle" in reason or "allow_pickle" in reason:
            reason = "not an .npz archive of arrays"  # numpy's advice to unpickle is not ours to give
        raise SessionFileError(f"{p}: not a readable nnplay session ({reason})") from None
    return _restore(p, meta_text, arrays)


def _restore(p: Path, meta_text: np.ndarray, arrays: dict[str, np.ndarray]) -> Trainer:
    if meta_text.dtype.kind != "U" or meta_text.shape != ():
        raise SessionFileError(f"{p}: not an nnplay session (bad header)")
    try:
        meta = json.loads(str(meta_text))
    except json.JSONDecodeError:
        raise SessionFileError(f"{p}: not an nnplay session (header is not JSON)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SessionFileError(
            f"{p}: not an nnplay session (format {meta.get('format') if isinstance(meta, dict) else None!r})"
        )
    version = meta.get("version")
    if not isinstance(version, int) or version < 1:
        raise SessionFileError(f"{p}: unknown session version {version!r}")
    if version > VERSION:
        raise SessionFileError(
            f"{p}: session version {version} is newer than this nnplay reads ({VERSION}); upgrade nnplay"
        )
    try:
        config = TrainConfig.from_dict(meta["config"])
        ds = meta["dataset"]
        if ds["name"] != config.dataset:
            raise SessionFileError(f"data set {ds['name']!r} does not match the settings' {config.dataset!r}")
        data = Dataset(
            name=str(ds["name"]),
            X_train=_floats(arrays["X_train"], "X_train", 2),
            y_train=arrays["y_train"],
            X_test=_floats(arrays["X_test"], "X_test", 2),
            y_test=arrays["y_test"],
            n_classes=int(ds["n_classes"]),
            extent=float(ds["extent"]),
            class_names=tuple(str(n) for n in ds["class_names"]),
        )
        _check_data(data)
        trainer = Trainer(config, data)
        n = trainer.net.params.size
        for key in ("params", "initial_params"):
            _floats(arrays[key], key, 1, (n,))
        _floats(arrays["optimizer_state"], "optimizer_state", 2, trainer.optimizer.state.shape)
        history = _floats(arrays["history"], "history", 2, allow_nan=True)
        if history.shape[1] != len(HISTORY_FIELDS):
            raise SessionFileError(f"history has {history.shape[1]} columns, expected {len(HISTORY_FIELDS)}")
        order = arrays["order"]
        if order.dtype.kind not in "iu" or sorted(order.tolist()) != list(range(len(data.X_train))):
            raise SessionFileError("order is not a permutation of the training points")
        step, epoch, at, opt_t = (_count(meta, k) for k in ("step", "epoch", "order_at", "optimizer_t"))
        diverged = meta.get("diverged_at")
        if diverged is not None and not isinstance(diverged, int):
            raise SessionFileError(f"diverged_at {diverged!r} is not a step number")
        trainer.initial_params = arrays["initial_params"].astype(np.float64)
        trainer.restart(arrays["params"])
        trainer.optimizer.state[...] = arrays["optimizer_state"]
        trainer.optimizer.t = opt_t
        trainer.rng.bit_generator.state = meta["rng"]
        trainer.step_count, trainer.epoch, trainer._at = step, epoch, min(at, len(order))
        trainer._order = order.astype(np.int64)
        trainer.history.load(history)
        trainer.diverged_at = diverged
        trainer.evaluate(record=False)
    except SessionFileError as exc:
        raise SessionFileError(f"{p}: {exc}") from None
    except ConfigError as exc:
        raise SessionFileError(f"{p}: bad setting in session ({exc})") from None
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise SessionFileError(f"{p}: damaged session ({_short(exc)})") from None
    return trainer


def _floats(
    a: np.ndarray, name: str, ndim: int, shape: tuple[int, ...] | None = None, allow_nan: bool = False
) -> np.ndarray:
    if a.dtype.kind not in "fi" or a.ndim != ndim or (shape is not None and a.shape != shape):
        raise SessionFileError(f"{name} has dtype {a.dtype} and shape {a.shape}, which does not fit the network")
    if ndim == 2 and name.startswith("X") and a.shape[1] != 2:
        raise SessionFileError(f"{name} must have 2 columns (x, y)")
    if not allow_nan and not np.isfinite(a).all():
        raise SessionFileError(f"{name} contains NaN or inf")
    return a.astype(np.float64)


def _check_data(data: Dataset) -> None:
    if data.is_regression != (data.name in REGRESSION or (data.name == "csv" and data.n_classes == 0)):
        raise SessionFileError(f"data set {data.name!r} cannot have {data.n_classes} classes")
    if not data.is_regression and not 2 <= data.n_classes <= MAX_CLASSES:
        raise SessionFileError(f"{data.n_classes} classes is outside 2..{MAX_CLASSES}")
    if len(data.class_names) != data.n_classes:
        raise SessionFileError(f"{len(data.class_names)} class names for {data.n_classes} classes")
    for X, y, split in ((data.X_train, data.y_train, "train"), (data.X_test, data.y_test, "test")):
        if y.ndim != 1 or len(y) != len(X):
            raise SessionFileError(f"{split} labels do not match its points")
        if data.n_classes:
            if y.dtype.kind not in "iu" or (len(y) and (y.min() < 0 or y.max() >= data.n_classes)):
                raise SessionFileError(f"{split} labels are not classes 0..{data.n_classes - 1}")
        elif y.dtype.kind != "f" or not np.isfinite(y).all():
            raise SessionFileError(f"{split} targets are not finite numbers")
    if len(data.X_train) == 0:
        raise SessionFileError("the session has no training points")
    if not (math.isfinite(data.extent) and data.extent > 0):
        raise SessionFileError(f"extent {data.extent!r} is not a positive number")


def _count(meta: dict, key: str) -> int:
    value = meta.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SessionFileError(f"{key} {value!r} is not a count")
    return value


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]

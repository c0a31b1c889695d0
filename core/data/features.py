"""Input features computed from a point's raw (x, y), as in TensorFlow Playground.

A network sees only the features the user picks, so e.g. ``x2,y2`` lets a
network with no hidden layer separate the circle dataset.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

FEATURES: dict[str, str] = {
    "x": "x",
    "y": "y",
    "x2": "x²",
    "y2": "y²",
    "xy": "x·y",
    "sinx": "sin x",
    "siny": "sin y",
}

Array = np.ndarray

# Each writes its column straight into the caller's buffer: no temporaries per frame.
_COMPUTE: dict[str, Callable[[Array, Array, Array], object]] = {
    "x": lambda x, y, out: np.copyto(out, x),
    "y": lambda x, y, out: np.copyto(out, y),
    "x2": lambda x, y, out: np.multiply(x, x, out=out),
    "y2": lambda x, y, out: np.multiply(y, y, out=out),
    "xy": lambda x, y, out: np.multiply(x, y, out=out),
    "sinx": lambda x, y, out: np.sin(x, out=out),
    "siny": lambda x, y, out: np.sin(y, out=out),
}


def _allowed() -> str:
    return ", ".join(FEATURES)


def parse_features(text: str) -> tuple[str, ...]:
    """``"x, y,x2"`` -> ``("x", "y", "x2")``; raises ValueError on bad input."""
    names = [part.strip() for part in text.split(",")]
    if not any(names):
        raise ValueError(f"no features given; choose from: {_allowed()}")
    seen: list[str] = []
    for name in names:
        if not name:
            raise ValueError(f"empty feature name in {text!r}; allowed: {_allowed()}")
        if name not in FEATURES:
            raise ValueError(f"unknown feature {name!r}; allowed: {_allowed()}")
        if name in seen:
            raise ValueError(f"duplicate feature {name!r}; each of {_allowed()} may appear once")
        seen.append(name)
    return tuple(seen)


def feature_matrix(X: Array, features: tuple[str, ...], out: Array | None = None) -> Array:
    """Map raw points ``(n, 2)`` to ``(n, len(features))`` float64 feature columns.

    ``out``, if given, must be a float64 ``(n, len(features))`` array that does
    not share memory with ``X``; it is filled and returned.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if not features:
        raise ValueError(f"no features given; choose from: {_allowed()}")
    for name in features:
        if name not in _COMPUTE:
            raise ValueError(f"unknown feature {name!r}; allowed: {_allowed()}")
    shape = (X.shape[0], len(features))
    if out is None:
        out = np.empty(shape, dtype=np.float64)
    else:
        if out.shape != shape or out.dtype != np.float64:
            raise ValueError(f"out must be a float64 array of shape {shape}, got {out.dtype} {out.shape}")
        # Writing column j could clobber X before a later column reads it.
        if np.shares_memory(out, X):
            raise ValueError("out must not share memory with X")
    x, y = X[:, 0], X[:, 1]
    for j, name in enumerate(features):
        _COMPUTE[name](x, y, out[:, j])
    return out

"""Activation functions and their derivatives, numerically stable.

Each activation is a pair: ``f(z, out)`` writes f(z) into ``out`` and returns it,
``df(z, a, out)`` writes f'(z) given both the pre-activation ``z`` and ``a = f(z)``
(sigmoid and tanh are cheapest from ``a``; relu from ``z``) into ``out``, which may be ``z``
itself; with ``out=None`` both return a new array.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnplay.core.engine.row_reductions import row_max, row_sum

LEAKY_SLOPE = 0.01

Array = np.ndarray


def sigmoid(z: Array, out: Array | None = None) -> Array:
    # 0.5 * (1 + tanh(z / 2)) is sigmoid exactly and never overflows, unlike 1 / (1 + exp(-z)).
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _d_sigmoid(z: Array, a: Array, out: Array | None = None) -> Array:
    out = np.subtract(1.0, a, out=out)
    out *= a  # a * (1 - a), the same value
    return out


def tanh(z: Array, out: Array | None = None) -> Array:
    return np.tanh(z, out=out)


def _d_tanh(z: Array, a: Array, out: Array | None = None) -> Array:
    out = np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, 0.0, out=out)


def _d_relu(z: Array, a: Array, out: Array | None = None) -> Array:
    if out is None:
        return (z > 0.0).astype(z.dtype)
    return np.greater(z, 0.0, out=out)  # True and False written as 1.0 and 0.0


def leaky_relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, LEAKY_SLOPE * z, out=out)


def _d_leaky_relu(z: Array, a: Array, out: Array | None = None) -> Array:
    positive = z > 0.0  # taken before ``out``, which may be ``z``, is written
    out = np.full_like(z, LEAKY_SLOPE) if out is None else out
    out.fill(LEAKY_SLOPE)
    np.putmask(out, positive, 1.0)
    return out


def linear(z: Array, out: Array | None = None) -> Array:
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def _d_linear(z: Array, a: Array, out: Array | None = None) -> Array:
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


def softmax(z: Array, out: Array | None = None) -> Array:
    # Shifting by the row max keeps exp() from overflowing; the result is unchanged.
    out = np.subtract(z, row_max(z)[:, np.newaxis], out=out)
    np.exp(out, out=out)
    out /= row_sum(out)[:, np.newaxis]
    return out


Activation = Callable[..., Array]

Derivative = Callable[..., Array]

HIDDEN: dict[str, tuple[Activation, Derivative]] = {
    "sigmoid": (sigmoid, _d_sigmoid),
    "tanh": (tanh, _d_tanh),
    "relu": (relu, _d_relu),
    "leaky_relu": (leaky_relu, _d_leaky_relu),
    "linear": (linear, _d_linear),
}

OUTPUTS: dict[str, Activation] = {
    "sigmoid": sigmoid,
    "softmax": softmax,
    "tanh": tanh,
    "linear": linear,
}

# Elementwise output derivatives; softmax is handled as a Jacobian-vector product.
OUTPUT_DERIVATIVES: dict[str, Derivative] = {
    "sigmoid": _d_sigmoid,
    "tanh": _d_tanh,
    "linear": _d_linear,
}


def check_name(kind: str, name: str, allowed: dict | tuple) -> None:
    """Raise ValueError naming the bad value and the allowed ones."""
    if name not in allowed:
        raise ValueError(f"unknown {kind} {name!r}; allowed: {', '.join(allowed)}")

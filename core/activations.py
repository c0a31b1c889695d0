"""Activation functions and their derivatives, numerically stable.

Each activation is a pair: ``f(z, out)`` writes f(z) into ``out`` and returns it,
``df(z, a)`` returns f'(z) given both the pre-activation ``z`` and ``a = f(z)``
(sigmoid and tanh are cheapest from ``a``; relu from ``z``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnplay.core.row_reductions import row_max, row_sum

LEAKY_SLOPE = 0.01

Array = np.ndarray


def sigmoid(z: Array, out: Array | None = None) -> Array:
    # 0.5 * (1 + tanh(z / 2)) is sigmoid exactly and never overflows, unlike 1 / (1 + exp(-z)).
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _d_sigmoid(z: Array, a: Array) -> Array:
    return a * (1.0 - a)


def tanh(z: Array, out: Array | None = None) -> Array:
    return np.tanh(z, out=out)


def _d_tanh(z: Array, a: Array) -> Array:
    return 1.0 - a * a


def relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, 0.0, out=out)


def _d_relu(z: Array, a: Array) -> Array:
    return (z > 0.0).astype(z.dtype)


def leaky_relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, LEAKY_SLOPE * z, out=out)


def _d_leaky_relu(z: Array, a: Array) -> Array:
    return np.where(z > 0.0, 1.0, LEAKY_SLOPE)


def linear(z: Array, out: Array | None = None) -> Array:
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def _d_linear(z: Array, a: Array) -> Array:
    return np.ones_like(z)


def softmax(z: Array, out: Array | None = None) -> Array:
    # Shifting by the row max keeps exp() from overflowing; the result is unchanged.
    out = np.subtract(z, row_max(z)[:, np.newaxis], out=out)
    np.exp(out, out=out)
    out /= row_sum(out)[:, np.newaxis]
    return out


Activation = Callable[..., Array]

HIDDEN: dict[str, tuple[Activation, Callable[[Array, Array], Array]]] = {
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
OUTPUT_DERIVATIVES: dict[str, Callable[[Array, Array], Array]] = {
    "sigmoid": _d_sigmoid,
    "tanh": _d_tanh,
    "linear": _d_linear,
}


def check_name(kind: str, name: str, allowed: dict | tuple) -> None:
    """Raise ValueError naming the bad value and the allowed ones."""
    if name not in allowed:
        raise ValueError(f"unknown {kind} {name!r}; allowed: {', '.join(allowed)}")

"""The loss landscape: the training loss over a plane through the weights, and the path the run took.

A plane is an origin (the current parameters) and two directions, flat vectors laid out like
``Network.params``. Three planes are offered:

- ``weight_plane``: two single parameters (a weight or a bias each); the loss as those two change
  with every other parameter fixed. Exact, and the picture a learner reads as "a bowl".
- ``pca_plane``: the first two principal directions of the recorded path (Li et al., "Visualizing
  the Loss Landscape of Neural Nets", 2018): the plane the run moved in most, each axis with the
  share of the path's variance it explains.
- ``random_plane``: two random directions scaled filter by filter to the norm of the weights they
  perturb (Li et al.'s filter normalisation), for a run without a history yet.

The grid is evaluated as one stacked forward pass: every grid point's network differs from the
origin's by ``alpha * d1 + beta * d2``, so each layer's pre-activations are ``A @ [W | D1 | D2]^T``
in one matrix product over all grid points at once, combined per point. Layers before the first
one the plane moves are computed once, for all grid points together.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnplay.core.data.features import feature_matrix
from nnplay.core.engine.activations import HIDDEN, OUTPUTS
from nnplay.core.engine.losses import mean_losses
from nnplay.core.engine.network import Network
from nnplay.core.run.trainer import Moment, Snapshot, targets_for

GRID_SIZE = (41, 21)  # columns (first direction) x rows (second direction)
# The work of one grid: grid points x training points x (multiply-adds + ACTIVATION_COST per
# activation) of one point's forward pass. 2-8-8-2 on 500 points is about 1e8 (tens of ms in float32
# on one core); a bigger net or data set is measured on a subsample that keeps to it, and says so.
WORK_LIMIT = 110_000_000
ACTIVATION_COST = 8  # a tanh or exp costs about as much as this many multiply-adds
MIN_SUBSAMPLE = 16
SUBSAMPLE_SEED = 20181203  # the same subsample every time, so the surface does not flicker
# A plane spans the path with this margin, and at least MIN_HALF_WIDTH either side of the origin.
PATH_MARGIN = 1.25
MIN_HALF_WIDTH = 0.5


@dataclass(frozen=True)
class Plane:
    """A plane through ``origin`` spanned by ``d1`` and ``d2`` (flat, laid out like the parameters)."""

    origin: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    labels: tuple[str, str]  # what each axis is: "w[1] 3<-2", "PC1 (72% of the path)"
    kind: str  # "weights", "pca" or "random"
    explained: tuple[float, float] | None = None  # the path's variance share of each axis (pca only)

    def point(self, alpha: float, beta: float) -> np.ndarray:
        """The parameters at plane coordinates (alpha, beta)."""
        return self.origin + alpha * self.d1 + beta * self.d2

    def project(self, params: np.ndarray) -> np.ndarray:
        """Plane coordinates (m, 2) of parameter vectors (m, P): the least-squares fit, which is
        exact for points on the plane and the orthogonal projection for the rest."""
        params = np.atleast_2d(np.asarray(params, dtype=np.float64))
        basis = np.stack([self.d1, self.d2], axis=1)  # (P, 2)
        coords, *_ = np.linalg.lstsq(basis, (params - self.origin).T, rcond=None)
        return coords.T


@dataclass(frozen=True)
class Landscape:
    """The loss over a grid of the plane, the path's coordinates in it, and what was measured."""

    plane: Plane
    alphas: np.ndarray  # (columns,) first-direction coordinates, ascending
    betas: np.ndarray  # (rows,) second-direction coordinates, ascending
    losses: np.ndarray  # (rows, columns): losses[i, j] at (alphas[j], betas[i])
    path: np.ndarray  # (m, 2) the recorded moments' coordinates, oldest first; the last is the origin
    n_points: int  # training points the losses were measured on
    n_train: int  # training points in all (n_points < n_train: a subsample)

    @property
    def subsampled(self) -> bool:
        return self.n_points < self.n_train

    @property
    def origin_loss(self) -> float:
        """The loss at the current weights (the grid's centre when the grid is centred on them)."""
        return float(self.losses[len(self.betas) // 2, len(self.alphas) // 2])


# -- planes ------------------------------------------------------------------------------------


def parameter_label(net: Network, index: int) -> str:
    """A short name for parameter ``index``: ``w1[3<-2]`` (layer 1, to neuron 3 from 2) or ``b2[1]``."""
    if not 0 <= index < net.params.size:
        raise ValueError(f"no parameter {index}; the network has {net.params.size}")
    at = 0
    for layer, (n_out, n_in) in enumerate(zip(net.sizes[1:], net.sizes[:-1], strict=True), start=1):
        if index < at + n_out * n_in:
            neuron, source = divmod(index - at, n_in)
            return f"w{layer}[{neuron + 1}<-{source + 1}]"
        at += n_out * n_in
    for layer, n_out in enumerate(net.sizes[1:], start=1):
        if index < at + n_out:
            return f"b{layer}[{index - at + 1}]"
        at += n_out
    raise AssertionError("unreachable: index was checked against the parameter count")


def weight_plane(net: Network, first: int, second: int) -> Plane:
    """The plane in which parameters ``first`` and ``second`` change and every other one stays."""
    if first == second:
        raise ValueError("pick two different weights for the plane")
    labels = (parameter_label(net, first), parameter_label(net, second))
    d1, d2 = np.zeros_like(net.params), np.zeros_like(net.params)
    d1[first] = d2[second] = 1.0
    return Plane(net.params.copy(), d1, d2, labels, "weights")


def pca_plane(origin: np.ndarray, path: np.ndarray) -> Plane:
    """The plane through ``origin`` along the first two principal directions of ``path`` (m, P)."""
    path = np.atleast_2d(np.asarray(path, dtype=np.float64))
    if len(path) < 3:
        raise ValueError("the run has too few recorded moments for a path plane; train a little first")
    centred = path - path.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    total = float(np.dot(s, s))
    if len(s) < 2 or total == 0.0 or s[1] <= 1e-9 * s[0]:
        raise ValueError("the path does not move in two directions yet; train a little first")
    shares = (float(s[0] ** 2 / total), float(s[1] ** 2 / total))
    labels = (f"PC1 ({shares[0]:.0%} of the path)", f"PC2 ({shares[1]:.0%} of the path)")
    return Plane(np.array(origin, dtype=np.float64), vt[0].copy(), vt[1].copy(), labels, "pca", shares)


def random_plane(net: Network, seed: int = 0) -> Plane:
    """Two random directions, each neuron's incoming weights scaled to the norm of that neuron's own
    (filter normalisation), biases left fixed: a picture comparable between networks of any scale."""
    rng = np.random.default_rng(seed)
    directions = []
    for _ in range(2):
        d = np.zeros_like(net.params)
        for w, dw in zip(net.weights, net.views(d)[0], strict=True):
            r = rng.standard_normal(w.shape)
            norms = np.linalg.norm(r, axis=1, keepdims=True)
            r *= np.linalg.norm(w, axis=1, keepdims=True) / np.where(norms > 0, norms, 1.0)
            dw[...] = r
        directions.append(d)
    return Plane(
        net.params.copy(), directions[0], directions[1], ("random direction 1", "random direction 2"), "random"
    )


# -- the grid ----------------------------------------------------------------------------------


def grid_axes(plane: Plane, path: np.ndarray, size: tuple[int, int] = GRID_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of a grid centred on the origin that holds the whole path with a margin."""
    columns, rows = size
    if columns < 3 or rows < 3 or columns % 2 == 0 or rows % 2 == 0:
        raise ValueError(f"grid {columns}x{rows}: both sides must be odd and at least 3, so the centre is a grid point")
    reach = np.abs(path).max(axis=0) * PATH_MARGIN if len(path) else np.zeros(2)
    if plane.kind == "weights":
        # A single weight moves on the scale of its own value: show at least the way back to zero.
        own = np.abs([plane.origin[np.argmax(plane.d1)], plane.origin[np.argmax(plane.d2)]]) * PATH_MARGIN
        reach = np.maximum(reach, own)
    reach = np.maximum(reach, MIN_HALF_WIDTH)
    return np.linspace(-reach[0], reach[0], columns), np.linspace(-reach[1], reach[1], rows)


def loss_grid(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    plane: Plane,
    alphas: np.ndarray,
    betas: np.ndarray,
    dtype: type = np.float64,
) -> np.ndarray:
    """The mean training loss at every point of the grid, (len(betas), len(alphas)).

    ``dtype`` float32 is for drawing only (several times faster); float64 gives the run's own loss.
    """
    a_g = np.repeat(np.asarray(alphas, dtype=dtype)[np.newaxis, :], len(betas), axis=0).ravel()
    b_g = np.repeat(np.asarray(betas, dtype=dtype)[:, np.newaxis], len(alphas), axis=1).ravel()
    n_grid = a_g.size
    weights, biases = net.weights, net.biases
    d1_w, d1_b = net.views(plane.d1)
    d2_w, d2_b = net.views(plane.d2)
    fs = [HIDDEN[name][0] for name in net.activations] + [OUTPUTS[net.output]]
    moved = [bool(d1_w[k].any() or d2_w[k].any() or d1_b[k].any() or d2_b[k].any()) for k in range(len(fs))]
    a = np.asarray(X, dtype=dtype)  # (n, in) until the first moved layer, then (n_grid, n, in)
    z = a
    for k, f in enumerate(fs):
        w, b = weights[k].astype(dtype), biases[k].astype(dtype)
        if moved[k]:
            # Each grid point's own matrix and bias: (n_grid, in, out) and (n_grid, 1, out), small
            # next to the activations, so one stacked product gives every point's layer at once.
            m = w.T + a_g[:, None, None] * d1_w[k].T.astype(dtype) + b_g[:, None, None] * d2_w[k].T.astype(dtype)
            bias = b + a_g[:, None] * d1_b[k].astype(dtype) + b_g[:, None] * d2_b[k].astype(dtype)
            z = np.matmul(a, m)
            z += bias[:, None, :]
        else:
            z = a @ w.T
            z += b
        # The activations work on rows: give them (points, outputs) whatever the stacking.
        a = f(z.reshape(-1, z.shape[-1])).reshape(z.shape)
    if a.ndim == 2:  # a plane that moves nothing: every grid point is the origin
        a, z = np.broadcast_to(a, (n_grid, *a.shape)), np.broadcast_to(z, (n_grid, *z.shape))
    losses = mean_losses(net.output, net.loss_name, z, a, np.asarray(Y, dtype=dtype))
    return losses.reshape(len(betas), len(alphas)).astype(np.float64)


def point_cost(sizes: Sequence[int]) -> int:
    """The work of one point's forward pass, in multiply-adds (``WORK_LIMIT``'s unit)."""
    return sum(i * o + ACTIVATION_COST * o for i, o in itertools.pairwise(sizes))


def subsample(n: int, n_grid: int, cost: int, limit: int = WORK_LIMIT) -> np.ndarray | None:
    """Row indices of the training points to measure on when all of them would exceed ``limit``
    (None: use every point). The same rows every time, in their original order."""
    keep = max(MIN_SUBSAMPLE, limit // max(1, n_grid * cost))
    if keep >= n:
        return None
    return np.sort(np.random.default_rng(SUBSAMPLE_SEED).choice(n, size=keep, replace=False))


def measure(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    plane: Plane,
    path_params: Sequence[np.ndarray] | np.ndarray,
    size: tuple[int, int] = GRID_SIZE,
    dtype: type = np.float64,
    limit: int = WORK_LIMIT,
) -> Landscape:
    """The landscape of ``net``'s training loss on ``(X, Y)`` over ``plane``, with the path drawn in it."""
    path_params = np.asarray(path_params, dtype=np.float64).reshape(-1, net.params.size)
    path = plane.project(path_params) if len(path_params) else np.zeros((0, 2))
    alphas, betas = grid_axes(plane, path, size)
    n_train = len(X)
    rows = subsample(n_train, alphas.size * betas.size, point_cost(net.sizes), limit)
    if rows is not None:
        X, Y = X[rows], Y[rows]
    losses = loss_grid(net, X, Y, plane, alphas, betas, dtype)
    return Landscape(plane, alphas, betas, losses, path, len(X), n_train)


def parameter_index(net: Network, name: str) -> int:
    """The parameter a ``parameter_label`` names (``w1[3<-2]``, ``b2[1]``), or a flat index ``"7"``."""
    text = name.strip()
    if text.isdigit():
        index = int(text)
        if index >= net.params.size:
            raise ValueError(f"no parameter {index}; the network has {net.params.size} (0..{net.params.size - 1})")
        return index
    weight = re.fullmatch(r"w(\d+)\[(\d+)<-(\d+)\]", text)
    bias = re.fullmatch(r"b(\d+)\[(\d+)\]", text)
    try:
        if weight:
            layer, neuron, source = (int(g) for g in weight.groups())
            return net.param_index(layer, neuron - 1, source - 1)
        if bias:
            layer, neuron = (int(g) for g in bias.groups())
            return net.param_index(layer, neuron - 1)
    except ValueError:
        pass
    raise ValueError(
        f"{name!r} names no parameter of a {net.sizes} network; say w LAYER[TO<-FROM] or b LAYER[NEURON] "
        "counting from 1 (w1[1<-2], b2[1]) or a flat index"
    )


def training_set(snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """The inputs (through the run's features) and targets the run's training loss is measured on."""
    regression = snap.data.is_regression
    X = feature_matrix(snap.data.X_train, snap.config.features)
    return X, targets_for(snap.data.y_train, snap.network.sizes[-1], snap.config.output, regression)


def path_params(net: Network, moments: Sequence[Moment]) -> np.ndarray:
    """The recorded moments' parameters (m, P), oldest first, leaving out any of another network."""
    rows = [m.params for m in moments if m.params.shape == net.params.shape]
    return np.array(rows) if rows else np.zeros((0, net.params.size))

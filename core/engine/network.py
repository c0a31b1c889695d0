"""A fully connected network whose parameters live in one flat float64 vector.

``weights[k]`` has shape ``(sizes[k+1], sizes[k])``: row = receiving neuron, column =
sending neuron, the article's layout. Every weight and bias array is a view into
``params``, so an optimiser updates the whole network with a handful of vector
operations whatever its depth, and ``net.weights[0][...] = A`` changes ``forward``.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from nnplay.core.engine.activations import HIDDEN, OUTPUTS, check_name
from nnplay.core.engine.batch_buffers import BatchBuffers
from nnplay.core.engine.losses import LOSSES, check_pair, mean_loss, output_delta
from nnplay.core.engine.row_reductions import column_sums

INITS = ("xavier", "he", "uniform01", "uniform11", "playground")
MAX_LAYER_SIZE = 4096
# A run has diverged once its parameters' Euclidean norm reaches MAX_PARAMETER (or is NaN):
# no network that learns gets near it, so every state a run keeps (and saves) has each
# parameter below it, which the session loader and float32 drawing rely on.
MAX_PARAMETER = 1e30
MAX_SQUARED_NORM = MAX_PARAMETER * MAX_PARAMETER


def parameters_diverged(params: np.ndarray) -> bool:
    """Whether ``params`` has left the range a learning run stays in (NaN and inf included)."""
    return not float(np.dot(params, params)) < MAX_SQUARED_NORM


class ParamList(list):
    """A list of parameter views; item assignment copies into the view so it stays live."""

    def __setitem__(self, index, value) -> None:  # type: ignore[override]
        try:
            index = operator.index(index)
        except TypeError:
            raise TypeError("assign one layer at a time: net.weights[k] = array") from None
        target = list.__getitem__(self, index)
        value = np.asarray(value, dtype=np.float64)
        if value.shape != target.shape:
            raise ValueError(f"shape {value.shape} does not match the layer's {target.shape}")
        target[...] = value


class Network:
    """Multi-layer perceptron: ``sizes[0]`` inputs, hidden layers, ``sizes[-1]`` outputs."""

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "sigmoid",
        output: str = "sigmoid",
        loss: str = "mse",
        init: str = "xavier",
        seed: int | None = None,
    ) -> None:
        if any(isinstance(s, bool) or int(s) != s for s in sizes):
            raise ValueError(f"sizes {list(sizes)} invalid; layer sizes must be whole numbers")
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or any(s < 1 or s > MAX_LAYER_SIZE for s in sizes):
            raise ValueError(f"sizes {sizes} invalid; allowed: at least 2 layers of 1..{MAX_LAYER_SIZE} neurons")
        n_hidden = len(sizes) - 2
        if isinstance(activation, str):
            check_name("activation", activation, HIDDEN)
            activations = [activation] * n_hidden
        else:
            activations = list(activation)
            if len(activations) != n_hidden:
                raise ValueError(f"{len(activations)} activations given for {n_hidden} hidden layers")
        for name in activations:
            check_name("activation", name, HIDDEN)
        check_name("output", output, OUTPUTS)
        check_name("loss", loss, LOSSES)
        check_pair(output, loss)
        check_name("init", init, INITS)
        self.sizes = sizes
        self.activations = activations
        self.output = output
        self.loss_name = loss
        self.init = init

        shapes = list(zip(sizes[1:], sizes[:-1], strict=True))
        n_weights = sum(o * i for o, i in shapes)
        self.n_weights = n_weights
        self.params = np.zeros(n_weights + sum(sizes[1:]), dtype=np.float64)
        self.weights, self.biases = self._views(self.params)
        self._build_plan()
        self.reinitialise(seed)

    def _build_plan(self) -> None:
        # Resolved once: the training loop then does no name lookups per layer.
        fs = [HIDDEN[a][0] for a in self.activations] + [OUTPUTS[self.output]]
        self._plan = list(zip(list.__iter__(self.weights), list.__iter__(self.biases), fs, strict=True))
        self._derivatives = [HIDDEN[a][1] for a in self.activations]

    def _views(self, flat: np.ndarray) -> tuple[ParamList, ParamList]:
        weights, biases = ParamList(), ParamList()
        w_at, b_at = 0, self.n_weights
        for n_out, n_in in zip(self.sizes[1:], self.sizes[:-1], strict=True):
            list.append(weights, flat[w_at : w_at + n_out * n_in].reshape(n_out, n_in))
            list.append(biases, flat[b_at : b_at + n_out])
            w_at += n_out * n_in
            b_at += n_out
        return weights, biases

    def views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Weight and bias views into any vector laid out like ``params`` (gradients, optimiser state)."""
        weights, biases = self._views(flat)
        return list(weights), list(biases)

    def param_index(self, layer: int, neuron: int, source: int | None = None) -> int:
        """Position in ``params`` of neuron ``neuron``'s bias in ``layer`` (1 = first hidden layer),
        or, with ``source``, of the weight from neuron ``source`` of the layer before."""
        if not 1 <= layer < len(self.sizes) or not 0 <= neuron < self.sizes[layer]:
            raise ValueError(f"no neuron {neuron} in layer {layer} of a {self.sizes} network")
        k = layer - 1
        if source is None:
            return self.n_weights + sum(self.sizes[1:layer]) + neuron
        if not 0 <= source < self.sizes[k]:
            raise ValueError(f"no neuron {source} in layer {k} of a {self.sizes} network")
        return sum(o * i for o, i in zip(self.sizes[1:layer], self.sizes[: layer - 1], strict=True)) + (
            neuron * self.sizes[k] + source
        )

    def reinitialise(self, seed: int | None) -> None:
        rng = np.random.default_rng(seed)
        for w, b in zip(self.weights, self.biases, strict=True):
            n_out, n_in = w.shape
            if self.init == "xavier":
                limit = np.sqrt(6.0 / (n_in + n_out))
                w[...] = rng.uniform(-limit, limit, w.shape)
                b[...] = 0.0
            elif self.init == "he":
                w[...] = rng.normal(0.0, np.sqrt(2.0 / n_in), w.shape)
                b[...] = 0.0
            elif self.init == "uniform01":
                w[...] = rng.random(w.shape)
                b[...] = 0.0
            elif self.init == "uniform11":
                w[...] = rng.random(w.shape) * 2.0 - 1.0
                b[...] = 0.0
            else:
                w[...] = rng.uniform(-0.5, 0.5, w.shape)
                b[...] = 0.1

    # -- forward ---------------------------------------------------------------------

    def _check_inputs(self, X: np.ndarray, Y: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X has shape {X.shape}; expected (n, {self.sizes[0]})")
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or inf; inputs must be finite")
        if Y is not None:
            Y = np.asarray(Y, dtype=np.float64)
            if Y.shape != (X.shape[0], self.sizes[-1]):
                raise ValueError(f"Y has shape {Y.shape}; expected ({X.shape[0]}, {self.sizes[-1]})")
            if not np.isfinite(Y).all():
                raise ValueError("Y contains NaN or inf; targets must be finite")
        return X, Y

    def forward_pass(
        self, X: np.ndarray, masks: list[np.ndarray] | None = None, buffers: BatchBuffers | None = None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Unchecked forward pass: pre-activations ``zs`` and activations ``acts`` (acts[0] = X).

        ``masks`` (one per hidden layer, already scaled as inverted dropout does) thin the hidden
        activations: ``acts`` then holds the thinned ones, which the next layer sees. With
        ``buffers`` (sized for ``len(X)`` rows) the arrays are written there, not made anew."""
        zs: list[np.ndarray] = []
        acts = [X]
        a = X
        for k, (w, b, f) in enumerate(self._plan):
            z = np.matmul(a, w.T, out=None if buffers is None else buffers.z[k])
            z += b
            a = f(z, None if buffers is None else buffers.a[k])
            zs.append(z)
            if masks is not None and k < len(masks):
                a = a * masks[k]
            acts.append(a)
        return zs, acts

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Output activations, shape (n, sizes[-1])."""
        X, _ = self._check_inputs(X)
        return self.forward_pass(X)[1][-1]

    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Mean over the samples of the per-sample loss."""
        X, Y = self._check_inputs(X, Y)
        zs, acts = self.forward_pass(X)
        return mean_loss(self.output, self.loss_name, zs[-1], acts[-1], Y)

    # -- backward --------------------------------------------------------------------

    def backward(
        self,
        zs: list[np.ndarray],
        acts: list[np.ndarray],
        Y: np.ndarray,
        grad: np.ndarray,
        grad_views: tuple[list[np.ndarray], list[np.ndarray]] | None = None,
        masks: list[np.ndarray] | None = None,
        buffers: BatchBuffers | None = None,
    ) -> None:
        """Write the gradient of the mean loss into ``grad`` (laid out like ``params``).

        ``grad_views`` (from ``views(grad)``) saves rebuilding the views on every call. ``masks``
        are the dropout masks the forward pass thinned the hidden layers with (``forward_pass(X,
        masks)``): the gradient is then that of the thinned network. ``buffers``: the ones the
        forward pass wrote ``zs`` and ``acts`` into (without masks); the deltas are computed in
        place there, overwriting ``zs`` and the output activations.
        """
        n = acts[0].shape[0]
        g_w, g_b = grad_views if grad_views is not None else self.views(grad)
        plan, derivatives = self._plan, self._derivatives
        if buffers is None:
            delta = output_delta(self.output, self.loss_name, zs[-1], acts[-1], Y)
        else:
            delta = output_delta(
                self.output, self.loss_name, zs[-1], acts[-1], Y, out=acts[-1], rows_sum_to_one=buffers.rows_sum_to_one
            )
        ones = None if buffers is None else buffers.ones
        for k in range(len(plan) - 1, -1, -1):
            np.matmul(delta.T, acts[k], out=g_w[k])
            column_sums(delta, g_b[k], ones)
            if k:
                delta = np.matmul(delta, plan[k][0], out=None if buffers is None else buffers.delta[k - 1])
                if masks is None:  # the slope goes where z was (z is not needed again)
                    delta *= derivatives[k - 1](zs[k - 1], acts[k], out=None if buffers is None else zs[k - 1])
                else:
                    # acts[k] is thinned: the slope needs the layer's own activations f(z).
                    z = zs[k - 1]
                    delta *= derivatives[k - 1](z, plan[k - 1][2](z))
                    delta *= masks[k - 1]
        grad *= 1.0 / n

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(dW, db) of ``loss(X, Y)``, shaped like ``weights`` and ``biases``."""
        X, Y = self._check_inputs(X, Y)
        grad = np.empty_like(self.params)
        zs, acts = self.forward_pass(X)
        self.backward(zs, acts, Y, grad)
        return self.views(grad)

    def with_params(self, params: np.ndarray) -> Network:
        """A read-only copy of this network carrying other parameters (a past moment of the run)."""
        other = self.copy()
        other.params[...] = params
        other.params.flags.writeable = False
        other.weights, other.biases = other._views(other.params)  # views made before the flag stay writeable
        other._build_plan()
        return other

    def as_float32(self) -> Network:
        """A float32 copy for drawing: 4x faster tanh/exp on a screenful of cells, never for training."""
        other = self.copy()
        other.params = self.params.astype(np.float32)
        other.weights, other.biases = other._views(other.params)
        other._build_plan()
        return other

    def copy(self) -> Network:
        other = object.__new__(Network)
        other.__dict__.update(self.__dict__)
        other.params = self.params.copy()
        other.weights, other.biases = other._views(other.params)
        other.activations = list(self.activations)
        other._build_plan()
        other.sizes = list(self.sizes)
        return other

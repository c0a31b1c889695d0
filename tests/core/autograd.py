"""A tiny reverse-mode automatic differentiation over numpy arrays, for checking ``core``.

micrograd-style, but every node holds a whole float64 array: ``Tensor.value`` is the
array, ``Tensor.grad`` the gradient of the final scalar with respect to it, and
``Tensor._backward`` a closure that pushes the node's gradient into its parents.

It is deliberately independent of ``core``: nothing here imports it, and every
activation and loss is composed from the primitives below rather than copied, so a
formula mistake in ``core`` cannot be repeated here by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

LEAKY_RELU_SLOPE = 0.01  # the usual leaky ReLU slope, stated here independently of core


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``, undoing numpy broadcasting."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """A node of the computation graph: a value array, its gradient and a backward closure."""

    def __init__(self, value, parents: Sequence[Tensor] = (), op: str = "") -> None:
        self.value = np.array(value, dtype=np.float64)
        self.grad = np.zeros_like(self.value)
        self._parents = tuple(parents)
        self._backward: Callable[[], None] = lambda: None
        self.op = op

    def __repr__(self) -> str:
        return f"Tensor(shape={self.value.shape}, op={self.op!r})"

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    # -- arithmetic ------------------------------------------------------------------

    def __add__(self, other) -> Tensor:
        other = as_tensor(other)
        out = Tensor(self.value + other.value, (self, other), "+")

        def backward() -> None:
            self.grad += _unbroadcast(out.grad, self.shape)
            other.grad += _unbroadcast(out.grad, other.shape)

        out._backward = backward
        return out

    __radd__ = __add__

    def __neg__(self) -> Tensor:
        out = Tensor(-self.value, (self,), "neg")

        def backward() -> None:
            self.grad -= out.grad

        out._backward = backward
        return out

    def __sub__(self, other) -> Tensor:
        return self + (-as_tensor(other))

    def __rsub__(self, other) -> Tensor:
        return as_tensor(other) + (-self)

    def __mul__(self, other) -> Tensor:
        other = as_tensor(other)
        out = Tensor(self.value * other.value, (self, other), "*")

        def backward() -> None:
            self.grad += _unbroadcast(out.grad * other.value, self.shape)
            other.grad += _unbroadcast(out.grad * self.value, other.shape)

        out._backward = backward
        return out

    __rmul__ = __mul__

    def __truediv__(self, other) -> Tensor:
        other = as_tensor(other)
        out = Tensor(self.value / other.value, (self, other), "/")

        def backward() -> None:
            self.grad += _unbroadcast(out.grad / other.value, self.shape)
            other.grad += _unbroadcast(-out.grad * self.value / other.value**2, other.shape)

        out._backward = backward
        return out

    def __rtruediv__(self, other) -> Tensor:
        return as_tensor(other) / self

    def __matmul__(self, other) -> Tensor:
        other = as_tensor(other)
        if self.value.ndim != 2 or other.value.ndim != 2:
            raise ValueError("matmul is defined here for 2-D tensors only")
        out = Tensor(self.value @ other.value, (self, other), "@")

        def backward() -> None:
            self.grad += out.grad @ other.value.T
            other.grad += self.value.T @ out.grad

        out._backward = backward
        return out

    def transpose(self) -> Tensor:
        out = Tensor(self.value.T, (self,), "T")

        def backward() -> None:
            self.grad += out.grad.T

        out._backward = backward
        return out

    # -- elementwise functions -------------------------------------------------------

    def exp(self) -> Tensor:
        out = Tensor(np.exp(self.value), (self,), "exp")

        def backward() -> None:
            self.grad += out.grad * out.value

        out._backward = backward
        return out

    def log(self) -> Tensor:
        out = Tensor(np.log(self.value), (self,), "log")

        def backward() -> None:
            self.grad += out.grad / self.value

        out._backward = backward
        return out

    def tanh(self) -> Tensor:
        out = Tensor(np.tanh(self.value), (self,), "tanh")

        def backward() -> None:
            self.grad += out.grad * (1.0 - out.value**2)

        out._backward = backward
        return out

    # -- reductions ------------------------------------------------------------------

    def sum(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        out = Tensor(self.value.sum(axis=axis, keepdims=keepdims), (self,), "sum")

        def backward() -> None:
            g = out.grad
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            self.grad += np.broadcast_to(g, self.shape)

        out._backward = backward
        return out

    def mean(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        count = self.value.size if axis is None else self.value.shape[axis]
        return self.sum(axis=axis, keepdims=keepdims) / float(count)

    # -- driving ---------------------------------------------------------------------

    def backward(self) -> None:
        """Gradients of this scalar with respect to every tensor it was computed from."""
        if self.value.size != 1:
            raise ValueError("backward() starts from a scalar")
        order: list[Tensor] = []
        seen: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:  # iterative post-order DFS: deep graphs never hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if id(p) not in seen)
        for node in order:
            node.grad = np.zeros_like(node.value)
        self.grad = np.ones_like(self.value)
        for node in reversed(order):
            node._backward()


def as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def where(condition: np.ndarray, a: Tensor, b: Tensor) -> Tensor:
    """``condition ? a : b`` elementwise; ``condition`` is a constant boolean array."""
    a, b = as_tensor(a), as_tensor(b)
    condition = np.asarray(condition, dtype=bool)
    out = Tensor(np.where(condition, a.value, b.value), (a, b), "where")

    def backward() -> None:
        a.grad += _unbroadcast(np.where(condition, out.grad, 0.0), a.shape)
        b.grad += _unbroadcast(np.where(condition, 0.0, out.grad), b.shape)

    out._backward = backward
    return out


# ----------------------------------------------------------------- composed functions


def relu(z: Tensor) -> Tensor:
    # max(z, 0): the subgradient at exactly 0 is taken as 0.
    return where(z.value > 0.0, z, Tensor(np.zeros_like(z.value)))


def leaky_relu(z: Tensor) -> Tensor:
    return where(z.value > 0.0, z, z * LEAKY_RELU_SLOPE)


def sigmoid(z: Tensor) -> Tensor:
    # 1 / (1 + e^-z) overflows for z << 0; (1 + tanh(z/2)) / 2 is the same function and cannot.
    return ((z * 0.5).tanh() + 1.0) * 0.5


def logsumexp(z: Tensor, axis: int = 1) -> Tensor:
    """log sum exp along ``axis`` (kept as size 1), shifted by the detached maximum."""
    m = Tensor(z.value.max(axis=axis, keepdims=True))  # a constant leaf: the result does not depend on it
    return (z - m).exp().sum(axis=axis, keepdims=True).log() + m


def logaddexp(a: Tensor, b: Tensor) -> Tensor:
    """log(e^a + e^b) elementwise, shifted by the detached elementwise maximum."""
    a, b = as_tensor(a), as_tensor(b)
    m = Tensor(np.maximum(a.value, b.value))  # constant shift, as in logsumexp
    return ((a - m).exp() + (b - m).exp()).log() + m


def softplus(z: Tensor) -> Tensor:
    return logaddexp(Tensor(np.zeros_like(z.value)), z)


def log_softmax(z: Tensor) -> Tensor:
    return z - logsumexp(z, axis=1)


def softmax(z: Tensor) -> Tensor:
    return log_softmax(z).exp()


def identity(z: Tensor) -> Tensor:
    return z


ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sigmoid": sigmoid,
    "tanh": Tensor.tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "linear": identity,
}
OUTPUTS: dict[str, Callable[[Tensor], Tensor]] = {
    "sigmoid": sigmoid,
    "softmax": softmax,
    "tanh": Tensor.tanh,
    "linear": identity,
}


def mse(out: Tensor, t: Tensor) -> Tensor:
    """Per-sample ``0.5 * sum_k (out_k - t_k)^2``, shape (n, 1)."""
    diff = out - t
    return (diff * diff).sum(axis=1, keepdims=True) * 0.5


def softmax_cross_entropy(z: Tensor, t: Tensor) -> Tensor:
    """Per-sample ``-sum_k t_k log softmax(z)_k`` from the logits, shape (n, 1)."""
    return -(t * log_softmax(z)).sum(axis=1, keepdims=True)


def sigmoid_cross_entropy(z: Tensor, t: Tensor) -> Tensor:
    """Per-sample binary cross-entropy summed over outputs, from the logits, shape (n, 1).

    -t log s(z) - (1 - t) log(1 - s(z)) = t softplus(-z) + (1 - t) softplus(z).
    """
    return (t * softplus(-z) + (1.0 - t) * softplus(z)).sum(axis=1, keepdims=True)


def per_sample_loss(z: Tensor, out: Tensor, t: Tensor, output: str, loss: str) -> Tensor:
    if loss == "mse":
        return mse(out, t)
    if loss == "cross_entropy" and output == "softmax":
        return softmax_cross_entropy(z, t)
    if loss == "cross_entropy" and output == "sigmoid":
        return sigmoid_cross_entropy(z, t)
    raise ValueError(f"no reference for loss {loss!r} with output {output!r}")


# ----------------------------------------------------------------------------- network


def _activation_list(activations: str | Sequence[str], n_hidden: int) -> list[str]:
    names = [activations] * n_hidden if isinstance(activations, str) else list(activations)
    if len(names) != n_hidden:
        raise ValueError(f"{len(names)} activations for {n_hidden} hidden layers")
    return names


def build_graph(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    activations: str | Sequence[str],
    output: str,
    loss: str,
) -> tuple[Tensor, list[Tensor], list[Tensor], list[Tensor]]:
    """(mean loss, weight leaves, bias leaves, pre-activations of every layer).

    ``weights[k]`` is (n_out, n_in) and ``biases[k]`` is (n_out,): z = a W^T + b.
    """
    names = _activation_list(activations, len(weights) - 1)
    W = [Tensor(w) for w in weights]
    B = [Tensor(b) for b in biases]
    a = Tensor(X)
    zs: list[Tensor] = []
    for k, (w, b) in enumerate(zip(W, B, strict=True)):
        z = a @ w.transpose() + b
        zs.append(z)
        a = OUTPUTS[output](z) if k == len(W) - 1 else ACTIVATIONS[names[k]](z)
    per_sample = per_sample_loss(zs[-1], a, Tensor(Y), output, loss)
    return per_sample.mean(), W, B, zs


def reference_forward(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    X: np.ndarray,
    activations: str | Sequence[str],
    output: str,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(output activations, pre-activations of every layer) without building a loss."""
    names = _activation_list(activations, len(weights) - 1)
    a = Tensor(X)
    zs: list[np.ndarray] = []
    for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = a @ Tensor(w).transpose() + Tensor(b)
        zs.append(z.value)
        a = OUTPUTS[output](z) if k == len(weights) - 1 else ACTIVATIONS[names[k]](z)
    return a.value, zs


def reference_loss_and_grads(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    activations: str | Sequence[str],
    output: str,
    loss: str,
) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """Mean loss over the samples and its gradients (dW, db), by reverse-mode autodiff."""
    total, W, B, _ = build_graph(weights, biases, X, Y, activations, output, loss)
    total.backward()
    return float(total.value), [w.grad.copy() for w in W], [b.grad.copy() for b in B]

"""Gradient, stability and contract tests of ``core.Network``.

Gradients are checked two independent ways: central finite differences of
``net.loss``, and the reverse-mode autodiff in ``tests/core/autograd.py``, which
builds the same network from its own primitives and never imports ``core``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnplay.core import Network
from tests.core.autograd import (
    Tensor,
    build_graph,
    reference_forward,
    reference_loss_and_grads,
)

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUTS = ("sigmoid", "softmax", "tanh", "linear")
INITS = ("xavier", "he", "uniform01", "uniform11", "playground")
# Every valid (output, loss) pair: cross_entropy needs probabilities out.
PAIRS = (
    ("sigmoid", "mse"),
    ("softmax", "mse"),
    ("tanh", "mse"),
    ("linear", "mse"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "cross_entropy"),
)
SIZES = {0: [2, 4], 1: [2, 5, 3], 3: [2, 4, 3, 5, 3]}
MIXED = (
    ["relu", "tanh", "sigmoid"],
    ["leaky_relu", "linear", "tanh"],
    ["sigmoid", "relu", "leaky_relu"],
)


def _cases() -> Iterator:
    for output, loss in PAIRS:
        # No hidden layer: the hidden activation plays no part, so test it once.
        yield pytest.param(SIZES[0], "sigmoid", output, loss, id=f"d0-{output}-{loss}")
        for depth in (1, 3):
            for act in HIDDEN:
                yield pytest.param(SIZES[depth], act, output, loss, id=f"d{depth}-{act}-{output}-{loss}")
        for acts in MIXED:
            yield pytest.param(SIZES[3], acts, output, loss, id=f"d3-{'+'.join(acts)}-{output}-{loss}")


CASES = list(_cases())
KINK = 1e-3  # relu / leaky relu: keep every hidden pre-activation this far from 0


def targets(rng: np.random.Generator, n: int, n_out: int, output: str) -> np.ndarray:
    """Targets in the output's range; softmax rows are probability distributions."""
    if output == "softmax":
        return rng.dirichlet(np.ones(n_out), size=n)
    if output == "sigmoid":
        return rng.uniform(0.0, 1.0, (n, n_out))
    if output == "tanh":
        return rng.uniform(-1.0, 1.0, (n, n_out))
    return rng.normal(0.0, 1.0, (n, n_out))


def _seed(*parts: object) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(repr(parts))) % (2**31)


def make_problem(sizes, activation, output, loss, seed=0, n=12):
    """A network with random (nonzero) biases, and data kept away from relu kinks."""
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation=activation, output=output, loss=loss, init="xavier", seed=seed)
    for b in net.biases:
        b[...] = rng.normal(0.0, 0.5, b.shape)
    X = rng.normal(0.0, 1.0, (n, sizes[0]))
    _, zs = reference_forward(net.weights, net.biases, X, activation, output)
    far = np.ones(n, dtype=bool)
    for z in zs[:-1]:
        far &= (np.abs(z) > KINK).all(axis=1)
    assert far.sum() >= n // 2, "too many samples near a kink; pick another seed"
    X = X[far]
    return net, X, targets(rng, len(X), sizes[-1], output)


def finite_difference(net: Network, X, Y, eps: float = 1e-6):
    """Central differences of net.loss for every weight and bias (edits the live views)."""

    def grads_of(arrays):
        out = []
        for p in arrays:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                keep = p[idx]
                p[idx] = keep + eps
                up = net.loss(X, Y)
                p[idx] = keep - eps
                down = net.loss(X, Y)
                p[idx] = keep
                g[idx] = (up - down) / (2.0 * eps)
            out.append(g)
        return out

    return grads_of(net.weights), grads_of(net.biases)


def assert_close(got, want, rtol, atol, what):
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g.shape == w.shape, f"{what}[{k}] shape {g.shape} != {w.shape}"
        err = np.abs(g - w)
        bad = err > rtol * np.maximum(np.abs(g), np.abs(w)) + atol
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            raise AssertionError(f"{what}[{k}]{i}: got {g[i]!r}, want {w[i]!r} (|diff| {err[i]:.3g})")


# ------------------------------------------------------------------ the reference itself


def test_autograd_primitives_match_finite_differences():
    """The reference is only a check if it is right: test its ops on their own."""
    rng = np.random.default_rng(1)
    a0, b0 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    c0 = rng.uniform(0.5, 2.0, size=(1, 2))

    def f(a, b, c):
        h = (a @ b + c) / (c * 2.0 + 1.0)
        h = h.tanh() * h.exp() - (h * h + 1.0).log() + (-h).sum(axis=0, keepdims=True)
        return (h.sum(axis=1).mean() + h.sum()) * 0.5

    leaves = [Tensor(a0), Tensor(b0), Tensor(c0)]
    out = f(*leaves)
    out.backward()
    eps = 1e-6
    for k, base in enumerate((a0, b0, c0)):
        fd = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            vals = []
            for step in (eps, -eps):
                arrays = [a0.copy(), b0.copy(), c0.copy()]
                arrays[k][idx] += step
                vals.append(float(f(*[Tensor(x) for x in arrays]).value))
            fd[idx] = (vals[0] - vals[1]) / (2 * eps)
        np.testing.assert_allclose(leaves[k].grad, fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("output", "loss"), PAIRS)
def test_autograd_reference_matches_finite_differences(output, loss):
    net, X, Y = make_problem(SIZES[1], "tanh", output, loss, seed=3)
    w0 = [w.copy() for w in net.weights]
    b0 = [b.copy() for b in net.biases]
    _, dW, db = reference_loss_and_grads(w0, b0, X, Y, "tanh", output, loss)
    eps = 1e-6
    for params, grads in ((w0, dW), (b0, db)):
        for p, g in zip(params, grads, strict=True):
            for idx in np.ndindex(p.shape):
                keep = p[idx]
                p[idx] = keep + eps
                up = build_graph(w0, b0, X, Y, "tanh", output, loss)[0].value
                p[idx] = keep - eps
                down = build_graph(w0, b0, X, Y, "tanh", output, loss)[0].value
                p[idx] = keep
                assert abs(g[idx] - (up - down) / (2 * eps)) <= 1e-5 * abs(g[idx]) + 1e-8


# ------------------------------------------------------------------ finite differences


@pytest.mark.parametrize(("sizes", "activation", "output", "loss"), CASES)
def test_gradients_match_finite_differences(sizes, activation, output, loss):
    net, X, Y = make_problem(sizes, activation, output, loss, seed=_seed(sizes, activation, output, loss))
    dW, db = net.gradients(X, Y)
    dW, db = [g.copy() for g in dW], [g.copy() for g in db]
    before = net.params.copy()
    fW, fb = finite_difference(net, X, Y)
    np.testing.assert_array_equal(net.params, before)  # the check restored every parameter
    scale = max(1.0, abs(net.loss(X, Y)))
    # Central differences: truncation ~eps^2, rounding ~1e-16 * loss / eps ~ 1e-10 * loss.
    assert_close(dW, fW, rtol=1e-5, atol=1e-8 * scale, what="dW")
    assert_close(db, fb, rtol=1e-5, atol=1e-8 * scale, what="db")
    # And the whole gradient, relative to its size.
    got = np.concatenate([g.ravel() for g in dW + db])
    want = np.concatenate([g.ravel() for g in fW + fb])
    assert np.linalg.norm(got - want) <= 1e-6 * max(np.linalg.norm(want), 1e-3)


# ------------------------------------------------------------------ autograd comparison


@pytest.mark.parametrize(("sizes", "activation", "output", "loss"), CASES)
def test_gradients_and_loss_match_autograd(sizes, activation, output, loss):
    net, X, Y = make_problem(sizes, activation, output, loss, seed=_seed("ad", sizes, activation, output, loss))
    ref_loss, rW, rb = reference_loss_and_grads(net.weights, net.biases, X, Y, activation, output, loss)
    assert net.loss(X, Y) == pytest.approx(ref_loss, rel=1e-12, abs=1e-15)
    dW, db = net.gradients(X, Y)
    assert_close(dW, rW, rtol=1e-6, atol=1e-13, what="dW")
    assert_close(db, rb, rtol=1e-6, atol=1e-13, what="db")
    out, _ = reference_forward(net.weights, net.biases, X, activation, output)
    np.testing.assert_allclose(net.forward(X), out, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_cross_entropy_one_hot_targets_match_autograd(output):
    """The article's targets: one-hot rows, over a larger batch."""
    net, X, _ = make_problem(SIZES[1], "relu", output, "cross_entropy", seed=11, n=40)
    Y = np.eye(3)[np.random.default_rng(0).integers(0, 3, len(X))]
    ref_loss, rW, rb = reference_loss_and_grads(net.weights, net.biases, X, Y, "relu", output, "cross_entropy")
    assert net.loss(X, Y) == pytest.approx(ref_loss, rel=1e-12)
    dW, db = net.gradients(X, Y)
    assert_close(dW, rW, rtol=1e-6, atol=1e-13, what="dW")
    assert_close(db, rb, rtol=1e-6, atol=1e-13, what="db")


def test_softmax_cross_entropy_unnormalised_targets_rejected_or_differentiated():
    net = Network([2, 3], output="softmax", loss="cross_entropy", seed=0)
    X = np.array([[0.3, -0.2]])
    Y = np.array([[1.0, 1.0, 0.0]])  # row sum 2
    try:
        dW, db = net.gradients(X, Y)
    except ValueError:
        return  # rejecting such targets is also acceptable
    _, rW, rb = reference_loss_and_grads(net.weights, net.biases, X, Y, [], "softmax", "cross_entropy")
    assert_close(dW + db, rW + rb, rtol=1e-6, atol=1e-13, what="grad")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_in=st.integers(1, 4),
    hidden=st.lists(st.tuples(st.integers(1, 5), st.sampled_from(HIDDEN)), max_size=3),
    n_out=st.integers(1, 4),
    output=st.sampled_from(OUTPUTS),
    init=st.sampled_from(INITS),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 6),
)
def test_property_mse_gradient_matches_autograd(n_in, hidden, n_out, output, init, seed, n):
    sizes = [n_in, *(s for s, _ in hidden), n_out]
    acts = [a for _, a in hidden]
    net = Network(sizes, activation=acts, output=output, loss="mse", init=init, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.5, (n, n_in))
    Y = rng.normal(0.0, 1.0, (n, n_out))
    ref_loss, rW, rb = reference_loss_and_grads(net.weights, net.biases, X, Y, acts, output, "mse")
    assert net.loss(X, Y) == pytest.approx(ref_loss, rel=1e-10, abs=1e-14)
    dW, db = net.gradients(X, Y)
    assert_close(dW, rW, rtol=1e-6, atol=1e-12, what="dW")
    assert_close(db, rb, rtol=1e-6, atol=1e-12, what="db")


# ------------------------------------------------------------------ numerical stability


def _strict():
    """Overflow, division by zero and invalid operations are errors. Underflow is not:
    exp(-2000) -> 0 is the correct rounding (a shifted softmax underflows by design),
    and numpy's own default ignores it too."""
    return np.errstate(over="raise", divide="raise", invalid="raise", under="ignore")


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize(("output", "loss"), PAIRS)
def test_huge_preactivations_stay_finite_without_warnings(activation, output, loss):
    rng = np.random.default_rng(5)
    net = Network([2, 5, 3], activation=activation, output=output, loss=loss, seed=4)
    for w in net.weights:
        w *= 1000.0
    X = rng.normal(0.0, 1.0, (16, 2))
    Y = targets(rng, 16, 3, output)
    if loss == "cross_entropy":
        Y = np.eye(3)[rng.integers(0, 3, 16)]
    _, zs = reference_forward(net.weights, net.biases, X, activation, output)
    assert np.abs(zs[-1]).max() >= 500.0  # the test reaches the saturated regime
    with warnings.catch_warnings(), _strict():
        warnings.simplefilter("error")
        out = net.forward(X)
        value = net.loss(X, Y)
        dW, db = net.gradients(X, Y)
    assert np.isfinite(out).all()
    assert np.isfinite(value)
    assert all(np.isfinite(g).all() for g in dW + db)
    if output == "softmax":
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-12)
    if output in ("sigmoid", "softmax"):
        assert ((out >= 0.0) & (out <= 1.0)).all()
    # The same numbers as the (max-shifted) reference, where that is meaningful.
    with np.errstate(all="ignore"):
        ref_loss, _, _ = reference_loss_and_grads(net.weights, net.biases, X, Y, activation, output, loss)
    assert value == pytest.approx(ref_loss, rel=1e-9)


@pytest.mark.parametrize(("output", "loss"), PAIRS)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_logits_of_plus_minus_1000_give_exact_limits(output, loss, sign):
    """One layer, logits exactly +-1000 and the wrong target: the limits are known in closed form."""
    net = Network([1, 2], activation=[], output=output, loss=loss, seed=0)
    net.weights[0] = [[sign * 1000.0], [-sign * 1000.0]]
    net.biases[0] = [0.0, 0.0]
    X = np.array([[1.0]])
    # Target: the unit whose logit is -1000 is the "right" one.
    Y = np.array([[0.0, 1.0]]) if sign > 0 else np.array([[1.0, 0.0]])
    if output == "tanh":
        Y = 2.0 * Y - 1.0
    with warnings.catch_warnings(), _strict():
        warnings.simplefilter("error")
        out = net.forward(X)
        value = net.loss(X, Y)
        dW, db = net.gradients(X, Y)
    assert all(np.isfinite(g).all() for g in dW + db)
    if (output, loss) == ("softmax", "cross_entropy"):
        assert value == pytest.approx(2000.0)  # -log softmax = 2000 + log(1 + e^-2000)
        np.testing.assert_allclose(db[0], (out - Y)[0])  # p - t = +-[1, -1]
    elif (output, loss) == ("sigmoid", "cross_entropy"):
        assert value == pytest.approx(2000.0)  # two outputs, each softplus(1000) = 1000
        np.testing.assert_allclose(db[0], (out - Y)[0])
    elif output == "linear":
        logits = np.array([[sign * 1000.0, -sign * 1000.0]])
        assert value == pytest.approx(0.5 * ((logits - Y) ** 2).sum(), rel=1e-12)
        np.testing.assert_allclose(db[0], (logits - Y)[0], rtol=1e-12)
    else:  # saturated sigmoid / tanh with mse: the gradient vanishes, it does not blow up
        np.testing.assert_allclose(db[0], 0.0, atol=1e-12)


# ------------------------------------------------------------------ contract


@pytest.mark.parametrize("sizes", [[2, 1], [3, 4], [2, 5, 3], [4, 3, 6, 2, 1]])
def test_shapes(sizes):
    net = Network(sizes, activation="relu", output="linear", seed=0)
    assert len(net.weights) == len(net.biases) == len(sizes) - 1
    for k in range(len(sizes) - 1):
        assert net.weights[k].shape == (sizes[k + 1], sizes[k])
        assert net.biases[k].shape == (sizes[k + 1],)
    X = np.zeros((7, sizes[0]))
    assert net.forward(X).shape == (7, sizes[-1])
    dW, db = net.gradients(X, np.zeros((7, sizes[-1])))
    assert [g.shape for g in dW] == [w.shape for w in net.weights]
    assert [g.shape for g in db] == [b.shape for b in net.biases]
    assert net.params.size == sum(w.size + b.size for w, b in zip(net.weights, net.biases, strict=True))


def test_in_place_edit_changes_forward():
    net = Network([2, 3, 1], activation="tanh", output="linear", seed=0)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    A = np.arange(6.0).reshape(3, 2) / 10.0
    before = net.forward(X).copy()
    net.weights[0][...] = A
    after = net.forward(X)
    assert not np.allclose(before, after)
    expected = np.tanh(X @ A.T + net.biases[0]) @ net.weights[1].T + net.biases[1]
    np.testing.assert_allclose(after, expected, rtol=1e-12)


def test_item_assignment_changes_forward():
    net = Network([2, 3, 1], activation="tanh", output="linear", seed=0)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    A = -np.arange(6.0).reshape(3, 2) / 10.0
    net.weights[0] = A
    net.biases[1] = [0.75]
    np.testing.assert_array_equal(net.weights[0], A)
    expected = np.tanh(X @ A.T + net.biases[0]) @ net.weights[1].T + 0.75
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-12)
    # Still views into the one parameter vector: the optimiser's updates are seen too.
    net.params[...] = 0.0
    np.testing.assert_array_equal(net.forward(X), 0.0)


def test_assigning_a_wrong_shape_raises():
    net = Network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        net.weights[0] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"\(2,\)"):
        net.biases[0] = np.zeros(2)


def test_wrong_input_shapes_raise():
    net = Network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"\(4, 3\)"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"\(2,\)"):
        net.forward(np.zeros(2))
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        net.loss(np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"\(3, 1\)"):
        net.gradients(np.zeros((4, 2)), np.zeros((3, 1)))


@pytest.mark.parametrize("sizes", [[3], [], [2, 0, 1], [2, -1], [2, 5000]])
def test_bad_sizes_raise(sizes):
    with pytest.raises(ValueError, match="sizes"):
        Network(sizes)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_raise(bad):
    net = Network([2, 3, 1], seed=0)
    X = np.array([[0.0, bad]])
    for call in (lambda: net.forward(X), lambda: net.loss(X, [[0.0]]), lambda: net.gradients(X, [[0.0]])):
        with pytest.raises(ValueError, match=r"X .*NaN"):
            call()
    with pytest.raises(ValueError, match=r"Y .*NaN"):
        net.loss([[0.0, 0.0]], [[bad]])
    with pytest.raises(ValueError, match=r"Y .*NaN"):
        net.gradients([[0.0, 0.0]], [[bad]])


@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        (dict(activation="softplus"), "softplus"),
        (dict(activation=["relu", "swish"]), "swish"),
        (dict(output="relu"), "relu"),
        (dict(loss="hinge"), "hinge"),
        (dict(init="glorot"), "glorot"),
    ],
)
def test_unknown_names_raise_naming_them(kwargs, bad):
    with pytest.raises(ValueError, match=repr(bad)):
        Network([2, 3, 3, 1], seed=0, **kwargs)


def test_wrong_number_of_activations_raises():
    with pytest.raises(ValueError, match="3 activations"):
        Network([2, 3, 1], activation=["relu", "tanh", "sigmoid"])


def test_unknown_activation_raises_without_hidden_layers():
    with pytest.raises(ValueError, match="'softplus'"):
        Network([2, 3], activation="softplus")


@pytest.mark.parametrize("output", ["tanh", "linear"])
def test_cross_entropy_needs_probability_outputs(output):
    with pytest.raises(ValueError, match=f"'{output}'") as info:
        Network([2, 3], output=output, loss="cross_entropy")
    assert "cross_entropy" in str(info.value)


@pytest.mark.parametrize("init", INITS)
def test_seed_fixes_the_parameters(init):
    a = Network([2, 8, 8, 3], init=init, seed=42)
    b = Network([2, 8, 8, 3], init=init, seed=42)
    c = Network([2, 8, 8, 3], init=init, seed=43)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_uniform01_init():
    net = Network([4, 16, 16, 2], init="uniform01", seed=1)
    w = np.concatenate([w.ravel() for w in net.weights])
    assert (w >= 0.0).all() and (w < 1.0).all()
    assert w.min() < 0.1 and w.max() > 0.9  # spread over the interval, not a constant
    assert all((b == 0.0).all() for b in net.biases)


def test_uniform11_init():
    net = Network([4, 16, 16, 2], init="uniform11", seed=1)
    w = np.concatenate([w.ravel() for w in net.weights])
    assert (w >= -1.0).all() and (w < 1.0).all()
    assert w.min() < -0.8 and w.max() > 0.8
    assert all((b == 0.0).all() for b in net.biases)


def test_other_inits():
    xavier = Network([4, 16, 2], init="xavier", seed=1)
    limit = np.sqrt(6.0 / (4 + 16))
    assert (np.abs(xavier.weights[0]) <= limit).all()
    assert all((b == 0.0).all() for b in xavier.biases)
    playground = Network([4, 16, 2], init="playground", seed=1)
    assert all((np.abs(w) <= 0.5).all() for w in playground.weights)
    assert all((b == 0.1).all() for b in playground.biases)


@pytest.mark.parametrize("activation", HIDDEN)
def test_softmax_rows_sum_to_one(activation):
    net = Network([2, 6, 4], activation=activation, output="softmax", seed=3)
    X = np.random.default_rng(0).normal(0.0, 3.0, (50, 2))
    out = net.forward(X)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-12)
    assert (out > 0.0).all() and (out < 1.0).all()


@pytest.mark.parametrize("activation", HIDDEN)
def test_sigmoid_outputs_in_open_unit_interval(activation):
    net = Network([2, 6, 3], activation=activation, output="sigmoid", seed=3)
    X = np.random.default_rng(0).normal(0.0, 3.0, (50, 2))
    out = net.forward(X)
    assert (out > 0.0).all() and (out < 1.0).all()


def test_tanh_outputs_in_range_and_gradients_do_not_touch_parameters():
    net = Network([2, 6, 3], activation="relu", output="tanh", seed=3)
    X = np.random.default_rng(0).normal(0.0, 3.0, (20, 2))
    out = net.forward(X)
    assert (np.abs(out) <= 1.0).all()
    before = net.params.copy()
    net.gradients(X, np.zeros((20, 3)))
    net.loss(X, np.zeros((20, 3)))
    np.testing.assert_array_equal(net.params, before)

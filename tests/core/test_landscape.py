"""The loss landscape: the grid is the run's own loss, slices are exact, planes are what they say."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.engine.losses import mean_loss, mean_losses
from nnplay.core.engine.network import Network
from nnplay.core.run import landscape as L
from nnplay.core.run.trainer import Trainer
from nnplay.core.settings.config import TrainConfig


def trained(**settings) -> Trainer:
    config = TrainConfig(
        **{
            "dataset": "spiral",
            "train_size": 200,
            "layers": (8, 8),
            "activation": "tanh",
            "output": "softmax",
            "loss": "cross_entropy",
            "lr": 0.03,
            **settings,
        }
    )
    trainer = Trainer(config)
    for _ in range(12):  # a recorded moment after each stretch: the path
        trainer.step(40)
        trainer.evaluate()
    return trainer


def path_of(trainer: Trainer) -> np.ndarray:
    return np.array([m.params for m in trainer.snapshot().timeline])


@pytest.fixture(scope="module")
def run() -> Trainer:
    return trained()


def planes(trainer: Trainer) -> list[L.Plane]:
    net = trainer.net
    hidden_weight = net.param_index(2, 3, 5)
    return [
        L.weight_plane(net, 0, 1),
        L.weight_plane(net, hidden_weight, net.param_index(3, 1)),  # a hidden weight and an output bias
        L.pca_plane(net.params, path_of(trainer)),
        L.random_plane(net, seed=3),
    ]


@pytest.mark.parametrize("which", range(4))
def test_the_grid_at_the_current_weights_is_the_runs_training_loss(run: Trainer, which: int) -> None:
    plane = planes(run)[which]
    landscape = L.measure(run.net, run.X_train, run.Y_train, plane, path_of(run), size=(9, 7))
    assert landscape.alphas[4] == 0.0 and landscape.betas[3] == 0.0
    assert landscape.origin_loss == pytest.approx(run.evaluate(record=False).train_loss, abs=1e-12, rel=1e-12)


def test_a_slice_along_one_weight_is_a_direct_forward_pass_at_each_point(run: Trainer) -> None:
    net = run.net
    index = net.param_index(1, 2, 0)
    plane = L.weight_plane(net, index, net.param_index(2, 0, 0))
    alphas, betas = np.linspace(-2, 3, 11), np.array([-0.4, 0.0, 0.7])
    grid = L.loss_grid(net, run.X_train, run.Y_train, plane, alphas, betas)
    for i, beta in enumerate(betas):
        for j, alpha in enumerate(alphas):
            moved = net.with_params(plane.point(alpha, beta))
            assert grid[i, j] == pytest.approx(moved.loss(run.X_train, run.Y_train), rel=1e-12, abs=1e-12)


def test_the_float32_grid_for_drawing_agrees_with_the_exact_one(run: Trainer) -> None:
    plane = planes(run)[2]
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-1, 1, 5)
    exact = L.loss_grid(run.net, run.X_train, run.Y_train, plane, alphas, betas)
    drawn = L.loss_grid(run.net, run.X_train, run.Y_train, plane, alphas, betas, dtype=np.float32)
    np.testing.assert_allclose(drawn, exact, rtol=1e-4)


def test_the_paths_last_point_is_the_current_weights_and_the_first_the_start(run: Trainer) -> None:
    path = path_of(run)
    for plane in planes(run):
        landscape = L.measure(run.net, run.X_train, run.Y_train, plane, path, size=(5, 5))
        np.testing.assert_allclose(landscape.path[-1], [0.0, 0.0], atol=1e-12)
        assert len(landscape.path) == len(path)
        # the whole path lies inside the grid
        assert np.all(np.abs(landscape.path[:, 0]) <= landscape.alphas[-1] + 1e-12)
        assert np.all(np.abs(landscape.path[:, 1]) <= landscape.betas[-1] + 1e-12)
    plane = planes(run)[0]
    start = plane.project(run.initial_params)[0]
    np.testing.assert_allclose(start, run.initial_params[[0, 1]] - run.net.params[[0, 1]], atol=1e-12)


def test_pca_axes_are_orthonormal_and_explain_at_most_the_whole_path(run: Trainer) -> None:
    plane = L.pca_plane(run.net.params, path_of(run))
    basis = np.stack([plane.d1, plane.d2])
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)
    assert plane.explained is not None
    assert 0 < plane.explained[1] <= plane.explained[0] and sum(plane.explained) <= 1 + 1e-12
    assert f"{plane.explained[0]:.0%}" in plane.labels[0]


def test_a_path_plane_needs_a_path() -> None:
    with pytest.raises(ValueError, match="train a little first"):
        L.pca_plane(np.zeros(3), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="two directions"):
        L.pca_plane(np.zeros(3), np.outer(np.arange(5.0), [1.0, 2.0, 0.0]))


def test_random_directions_are_filter_normalised(run: Trainer) -> None:
    plane = L.random_plane(run.net, seed=1)
    for d in (plane.d1, plane.d2):
        d_w, d_b = run.net.views(d)
        for w, dw in zip(run.net.weights, d_w, strict=True):
            np.testing.assert_allclose(np.linalg.norm(dw, axis=1), np.linalg.norm(w, axis=1), rtol=1e-12)
        assert all(not b.any() for b in d_b)


def test_a_convex_slice_has_its_minimum_where_the_finite_difference_gradient_vanishes() -> None:
    # The article's version 1 (2 -> 4, sigmoid, MSE) on the four quadrant centres.
    X = np.array([[0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]])
    Y = np.eye(4)
    net = Network([2, 4], activation=[], output="sigmoid", loss="mse", seed=0)
    plane = L.weight_plane(net, net.param_index(1, 0, 0), net.param_index(1, 0))  # w1[1<-1] and b1[1]
    alphas, betas = np.linspace(-8, 8, 161), np.linspace(-8, 8, 161)
    grid = L.loss_grid(net, X, Y, plane, alphas, betas)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    assert 0 < i < len(betas) - 1 and 0 < j < len(alphas) - 1, "the bowl's bottom lies inside the slice"

    def loss_at(alpha: float, beta: float) -> float:
        return net.with_params(plane.point(alpha, beta)).loss(X, Y)

    h = 1e-5
    a, b = alphas[j], betas[i]
    slope = ((loss_at(a + h, b) - loss_at(a - h, b)) / (2 * h), (loss_at(a, b + h) - loss_at(a, b - h)) / (2 * h))
    step = alphas[1] - alphas[0]
    # At the grid's minimum the slope is no bigger than the curvature across one grid step allows.
    curvature = (
        max(
            abs(loss_at(a + step, b) - 2 * loss_at(a, b) + loss_at(a - step, b)),
            abs(loss_at(a, b + step) - 2 * loss_at(a, b) + loss_at(a, b - step)),
        )
        / step
    )
    assert abs(slope[0]) <= curvature and abs(slope[1]) <= curvature
    # ... and the slope changes sign across the minimum along each axis.
    assert loss_at(a - step, b) >= loss_at(a, b) <= loss_at(a + step, b)
    assert loss_at(a, b - step) >= loss_at(a, b) <= loss_at(a, b + step)


def test_big_data_is_measured_on_a_subsample_and_says_so(run: Trainer) -> None:
    plane = planes(run)[0]
    limit = 41 * 21 * L.point_cost(run.net.sizes) * 50
    landscape = L.measure(run.net, run.X_train, run.Y_train, plane, path_of(run), size=(41, 21), limit=limit)
    assert landscape.subsampled and landscape.n_points == 50 and landscape.n_train == len(run.X_train)
    again = L.measure(run.net, run.X_train, run.Y_train, plane, path_of(run), size=(41, 21), limit=limit)
    np.testing.assert_array_equal(landscape.losses, again.losses)  # the same subsample every time


def test_many_networks_losses_equal_each_networks_own() -> None:
    rng = np.random.default_rng(0)
    t = np.eye(3)[rng.integers(0, 3, 20)]
    for output, loss in (
        ("softmax", "cross_entropy"),
        ("sigmoid", "cross_entropy"),
        ("sigmoid", "mse"),
        ("softmax", "mse"),
        ("linear", "mse"),
    ):
        z = rng.normal(size=(4, 20, 3)) * 5
        from nnplay.core.engine.activations import OUTPUTS

        a = np.stack([OUTPUTS[output](zi) for zi in z])
        expected = [mean_loss(output, loss, zi, ai, t) for zi, ai in zip(z, a, strict=True)]
        np.testing.assert_allclose(mean_losses(output, loss, z, a, t), expected, rtol=1e-13)


def test_labels_name_each_parameter_and_refuse_the_rest() -> None:
    net = Network([2, 3, 4], seed=0)
    assert L.parameter_label(net, net.param_index(1, 2, 1)) == "w1[3<-2]"
    assert L.parameter_label(net, net.param_index(2, 0)) == "b2[1]"
    assert all(L.parameter_index(net, L.parameter_label(net, i)) == i for i in range(net.params.size))
    for bad in ("w3[1<-1]", "w1[0<-1]", "b1[4]", "x", "w1[1<-9]", str(net.params.size)):
        with pytest.raises(ValueError):
            L.parameter_index(net, bad)
    assert L.parameter_index(net, "5") == 5
    with pytest.raises(ValueError, match="two different"):
        L.weight_plane(net, 2, 2)

"""``core.engine.optim.Optimizer`` checked against numbers worked out by hand from the update formulas.

Every test uses the same tiny problem: three parameters, the first two of them weights
(``n_weights=2``) and the last one a bias, and three fixed gradients. The expected values
are written out step by step below, with the arithmetic shown, never by calling the
optimiser a second time.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnplay.core.engine.optim import OPTIMIZERS, Optimizer

W0 = (1.0, -2.0, 0.5)  # two weights, then one bias
G1 = (0.5, -1.0, 2.0)
G2 = (1.0, 0.0, -1.0)
G3 = (-2.0, 0.5, 0.0)


def make(kind: str, **kwargs: float) -> tuple[Optimizer, np.ndarray]:
    return Optimizer(kind, n_params=3, n_weights=2, **kwargs), np.array(W0)


def step(opt: Optimizer, params: np.ndarray, grad: tuple[float, ...]) -> np.ndarray:
    """One update with a fresh gradient array (the optimiser may scribble on it)."""
    opt.step(params, np.array(grad))
    return params.copy()


def test_kinds_and_unknown_kind_rejected():
    assert OPTIMIZERS == ("sgd", "momentum", "adam")
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        Optimizer("rmsprop", 3, 2)


# --------------------------------------------------------------------------- sgd


def test_sgd_three_steps_by_hand():
    opt, w = make("sgd", lr=0.1)
    # w -= 0.1 * g
    # step 1: [1 - 0.05, -2 + 0.1, 0.5 - 0.2]
    np.testing.assert_allclose(step(opt, w, G1), [0.95, -1.9, 0.3], rtol=0, atol=1e-15)
    # step 2: [0.95 - 0.1, -1.9 - 0, 0.3 + 0.1]
    np.testing.assert_allclose(step(opt, w, G2), [0.85, -1.9, 0.4], rtol=0, atol=1e-15)
    # step 3: [0.85 + 0.2, -1.9 - 0.05, 0.4 - 0]
    np.testing.assert_allclose(step(opt, w, G3), [1.05, -1.95, 0.4], rtol=0, atol=1e-15)
    assert opt.t == 3


def test_sgd_updates_params_in_place():
    opt, w = make("sgd", lr=1.0)
    same = w
    opt.step(w, np.array(G1))
    assert same is w
    np.testing.assert_allclose(w, [0.5, -1.0, -1.5])


# --------------------------------------------------------------------------- momentum


def test_momentum_pytorch_convention_three_steps_by_hand():
    opt, w = make("momentum", lr=0.1, momentum=0.9)
    # step 1: the buffer starts at the gradient: v1 = g1 = [0.5, -1, 2]
    #         w1 = w0 - 0.1 * v1 = [0.95, -1.9, 0.3]
    np.testing.assert_allclose(step(opt, w, G1), [0.95, -1.9, 0.3], atol=1e-15)
    np.testing.assert_allclose(opt.state[0], [0.5, -1.0, 2.0], atol=1e-15)
    # step 2: v2 = 0.9 * v1 + g2 = [0.45 + 1, -0.9 + 0, 1.8 - 1] = [1.45, -0.9, 0.8]
    #         w2 = w1 - 0.1 * v2 = [0.95 - 0.145, -1.9 + 0.09, 0.3 - 0.08]
    np.testing.assert_allclose(step(opt, w, G2), [0.805, -1.81, 0.22], atol=1e-15)
    np.testing.assert_allclose(opt.state[0], [1.45, -0.9, 0.8], atol=1e-15)
    # step 3: v3 = 0.9 * v2 + g3 = [1.305 - 2, -0.81 + 0.5, 0.72 + 0] = [-0.695, -0.31, 0.72]
    #         w3 = w2 - 0.1 * v3 = [0.805 + 0.0695, -1.81 + 0.031, 0.22 - 0.072]
    np.testing.assert_allclose(step(opt, w, G3), [0.8745, -1.779, 0.148], atol=1e-15)
    np.testing.assert_allclose(opt.state[0], [-0.695, -0.31, 0.72], atol=1e-15)


def test_momentum_lr_change_scales_the_whole_buffer_not_just_the_new_gradient():
    # PyTorch keeps lr out of the buffer (w -= lr * v); the "v = mu v - lr g; w += v" form
    # would give [0.705, -1.81, 0.32] here instead.
    opt, w = make("momentum", lr=0.1, momentum=0.9)
    step(opt, w, G1)  # w1 = [0.95, -1.9, 0.3], v1 = [0.5, -1, 2]
    opt.lr = 0.2
    # v2 = [1.45, -0.9, 0.8]; w2 = w1 - 0.2 * v2 = [0.95 - 0.29, -1.9 + 0.18, 0.3 - 0.16]
    np.testing.assert_allclose(step(opt, w, G2), [0.66, -1.72, 0.14], atol=1e-15)
    assert opt.t == 2


def test_momentum_zero_is_plain_sgd():
    opt, w = make("momentum", lr=0.1, momentum=0.0)
    step(opt, w, G1)
    step(opt, w, G2)
    np.testing.assert_allclose(step(opt, w, G3), [1.05, -1.95, 0.4], atol=1e-15)


# --------------------------------------------------------------------------- adam


def adam_delta(m: float, v: float, bias1: float, bias2: float, lr: float = 0.1, eps: float = 1e-8) -> float:
    """lr * m_hat / (sqrt(v_hat) + eps): the scalar formula of torch.optim.Adam."""
    return lr * (m / bias1) / (math.sqrt(v / bias2) + eps)


def test_adam_three_steps_by_hand():
    opt, w = make("adam", lr=0.1)  # defaults beta1 0.9, beta2 0.999, eps 1e-8
    assert (opt.beta1, opt.beta2, opt.eps) == (0.9, 0.999, 1e-8)

    # step 1: m = 0.1 g1 = [0.05, -0.1, 0.2];  v = 0.001 g1^2 = [0.00025, 0.001, 0.004]
    #         bias1 = 1 - 0.9 = 0.1;  bias2 = 1 - 0.999 = 0.001
    #         so m_hat = g1, v_hat = g1^2 and each weight moves by lr * g / (|g| + eps)
    w1 = [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 1.0 / (1.0 + 1e-8), 0.5 - 0.1 * 2.0 / (2.0 + 1e-8)]
    np.testing.assert_allclose(step(opt, w, G1), w1, rtol=1e-13)
    np.testing.assert_allclose(w1, [0.900000002, -1.900000001, 0.4000000005], rtol=1e-9)
    np.testing.assert_allclose(opt.state[0], [0.05, -0.1, 0.2], rtol=1e-13)
    np.testing.assert_allclose(opt.state[1], [0.00025, 0.001, 0.004], rtol=1e-13)

    # step 2 (g2 = [1, 0, -1]): bias1 = 1 - 0.81 = 0.19;  bias2 = 1 - 0.998001 = 0.001999
    #   m = 0.9 m + 0.1 g2: [0.045 + 0.1, -0.09 + 0, 0.18 - 0.1] = [0.145, -0.09, 0.08]
    #   v = 0.999 v + 0.001 g2^2: [0.00024975 + 0.001, 0.000999 + 0, 0.003996 + 0.001]
    m2 = [0.145, -0.09, 0.08]
    v2 = [0.00124975, 0.000999, 0.004996]
    w2 = [w1[i] - adam_delta(m2[i], v2[i], 0.19, 0.001999) for i in range(3)]
    np.testing.assert_allclose(step(opt, w, G2), w2, rtol=1e-12)
    np.testing.assert_allclose(opt.state[0], m2, rtol=1e-12)
    np.testing.assert_allclose(opt.state[1], v2, rtol=1e-12)
    # The numbers themselves: m_hat = m2 / 0.19 = [0.763158, -0.473684, 0.421053],
    # sqrt(v_hat) = sqrt(v2 / 0.001999) = [0.790688, 0.706929, 1.580902], so the weights move by
    # 0.1 * m_hat / sqrt(v_hat) = [0.096518, -0.067006, 0.026634].
    by_hand = [0.900000002 - 0.096518, -1.900000001 + 0.067006, 0.4000000005 - 0.026634]
    np.testing.assert_allclose(w2, by_hand, atol=2e-6)

    # step 3 (g3 = [-2, 0.5, 0]): bias1 = 1 - 0.729 = 0.271;  bias2 = 1 - 0.997002999 = 0.002997001
    #   m = [0.1305 - 0.2, -0.081 + 0.05, 0.072 + 0] = [-0.0695, -0.031, 0.072]
    #   v = [0.00124850025 + 0.004, 0.000998001 + 0.00025, 0.004991004 + 0]
    m3 = [-0.0695, -0.031, 0.072]
    v3 = [0.00524850025, 0.001248001, 0.004991004]
    w3 = [w2[i] - adam_delta(m3[i], v3[i], 0.271, 0.002997001) for i in range(3)]
    np.testing.assert_allclose(step(opt, w, G3), w3, rtol=1e-12)
    np.testing.assert_allclose(opt.state[0], m3, rtol=1e-12)
    np.testing.assert_allclose(opt.state[1], v3, rtol=1e-12)
    assert opt.t == 3


def test_adam_eps_is_added_outside_the_square_root():
    # |g| = 1e-9 on step 1: lr * g / (|g| + eps) = 0.1 * 1e-9 / 1.1e-8 = 0.1 / 11.
    # With eps inside the root the step would be ~0.1 * 1e-9 / 1e-4 = 1e-6.
    opt = Optimizer("adam", 1, 1, lr=0.1)
    w = np.array([0.0])
    opt.step(w, np.array([1e-9]))
    np.testing.assert_allclose(w, [-0.1 / 11.0], rtol=1e-9)


def test_adam_custom_beta1_by_hand():
    opt = Optimizer("adam", 1, 1, lr=0.1, beta1=0.5)
    w = np.array([0.0])
    opt.step(w, np.array([2.0]))  # m = 1, m_hat = 1 / 0.5 = 2, v_hat = 4 -> w = -0.1 * 2 / (2 + eps)
    np.testing.assert_allclose(w, [-0.1 * 2.0 / (2.0 + 1e-8)], rtol=1e-13)
    opt.step(w, np.array([-1.0]))
    # m = 0.5 * 1 + 0.5 * -1 = 0 -> no move at all, whatever v is
    np.testing.assert_allclose(w, [-0.1 * 2.0 / (2.0 + 1e-8)], rtol=1e-13)
    assert opt.state[0, 0] == 0.0


def test_adam_lr_change_keeps_moments_and_step_count():
    opt, w = make("adam", lr=0.1)
    w1 = step(opt, w, G1)
    opt.lr = 0.05
    # Same m2, v2 and bias corrections as in the three-step test; only the rate halves.
    m2 = [0.145, -0.09, 0.08]
    v2 = [0.00124975, 0.000999, 0.004996]
    expected = [w1[i] - adam_delta(m2[i], v2[i], 0.19, 0.001999, lr=0.05) for i in range(3)]
    np.testing.assert_allclose(step(opt, w, G2), expected, rtol=1e-12)
    assert opt.t == 2


def test_sgd_lr_change_between_steps():
    opt, w = make("sgd", lr=0.1)
    step(opt, w, G1)  # [0.95, -1.9, 0.3]
    opt.lr = 1.0
    # [0.95 - 1, -1.9 - 0, 0.3 + 1]
    np.testing.assert_allclose(step(opt, w, G2), [-0.05, -1.9, 1.3], atol=1e-15)


# --------------------------------------------------------------------------- regularisation


ZERO = (0.0, 0.0, 0.0)


def test_l2_adds_l2_times_w_to_weights_only():
    opt, w = make("sgd", lr=1.0, l2=0.1)
    # g_eff = g + 0.1 * w on the weights: [0 + 0.1, 0 - 0.2]; the bias gets nothing.
    np.testing.assert_allclose(step(opt, w, ZERO), [0.9, -1.8, 0.5], atol=1e-15)
    # second step from [0.9, -1.8]: [0.9 - 0.09, -1.8 + 0.18]; bias 0.5 - 1 * 2.0
    np.testing.assert_allclose(step(opt, w, (0.0, 0.0, 2.0)), [0.81, -1.62, -1.5], atol=1e-15)


def test_l1_adds_l1_times_sign_w_to_weights_only():
    opt = Optimizer("sgd", n_params=4, n_weights=3, lr=1.0, l1=0.1)
    w = np.array([1.0, -2.0, 0.0, 0.5])  # a zero weight has sign 0 and stays put
    opt.step(w, np.zeros(4))
    np.testing.assert_allclose(w, [0.9, -1.9, 0.0, 0.5], atol=1e-15)
    opt.step(w, np.array([0.5, 0.5, 0.5, 0.5]))
    # g_eff = [0.5 + 0.1, 0.5 - 0.1, 0.5 + 0, 0.5 (bias)]
    np.testing.assert_allclose(w, [0.3, -2.3, -0.5, 0.0], atol=1e-15)


def test_l1_and_l2_together_with_a_gradient():
    opt, w = make("sgd", lr=0.1, l1=0.2, l2=0.5)
    # weights: g + 0.5 w + 0.2 sign(w) = [0.5 + 0.5 + 0.2, -1 - 1 - 0.2] = [1.2, -2.2]; bias g = 2
    # w1 = [1 - 0.12, -2 + 0.22, 0.5 - 0.2]
    np.testing.assert_allclose(step(opt, w, G1), [0.88, -1.78, 0.3], atol=1e-15)


def test_l2_goes_through_the_momentum_buffer():
    opt, w = make("momentum", lr=0.1, momentum=0.9, l2=0.1)
    # v1 = g1 + 0.1 * [1, -2, (bias: 0)] = [0.6, -1.2, 2.0]; w1 = [0.94, -1.88, 0.3]
    np.testing.assert_allclose(step(opt, w, G1), [0.94, -1.88, 0.3], atol=1e-15)
    # v2 = 0.9 v1 + g2 + 0.1 * [0.94, -1.88, 0] = [0.54 + 1 + 0.094, -1.08 + 0 - 0.188, 1.8 - 1]
    #    = [1.634, -1.268, 0.8];  w2 = w1 - 0.1 v2
    np.testing.assert_allclose(step(opt, w, G2), [0.94 - 0.1634, -1.88 + 0.1268, 0.3 - 0.08], atol=1e-15)


def test_l2_goes_into_adam_moments_and_not_into_the_bias():
    opt, w = make("adam", lr=0.1, l2=1.0)
    # g_eff = [0.5 + 1, -1 - 2, 2 (bias untouched)]: m = 0.1 g_eff, v = 0.001 g_eff^2
    step(opt, w, G1)
    np.testing.assert_allclose(opt.state[0], [0.15, -0.3, 0.2], rtol=1e-13)
    np.testing.assert_allclose(opt.state[1], [0.00225, 0.009, 0.004], rtol=1e-13)


def test_regularisation_can_be_changed_between_steps():
    opt, w = make("sgd", lr=1.0)
    np.testing.assert_allclose(step(opt, w, ZERO), W0)  # no regularisation: nothing moves
    opt.l2 = 0.5
    np.testing.assert_allclose(step(opt, w, ZERO), [0.5, -1.0, 0.5], atol=1e-15)


# --------------------------------------------------------------------------- reset


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_reset_clears_state_and_step_count(kind: str):
    opt, w = make(kind, lr=0.1)
    step(opt, w, G1)
    step(opt, w, G2)
    assert opt.t == 2
    if kind != "sgd":
        assert np.any(opt.state != 0.0)
    opt.reset()
    assert opt.t == 0
    assert np.all(opt.state == 0.0)
    # The next update is a first update again, from wherever the params are now.
    before = w.copy()
    after = step(opt, w, G3)
    g3 = np.array(G3)
    if kind == "adam":
        # bias corrections of step 1 again: the move is lr * g / (|g| + eps)
        expected = before - 0.1 * g3 / (np.abs(g3) + 1e-8)
    else:
        # sgd and momentum (buffer = g3 again) both move by lr * g3
        expected = before - 0.1 * g3
    np.testing.assert_allclose(after, expected, rtol=1e-13, atol=1e-15)
    assert opt.t == 1

"""The engine's softmax, loss and predicted class through core.engine.row_reductions: numpy's own numbers.

They go column by column for few classes (numpy's short-axis reductions were most of a
snapshot's evaluation); what they compute must stay bit for bit what numpy's axis reductions
give, or trajectories and saved sessions would shift with the number of classes.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.engine.activations import softmax
from nnplay.core.engine.losses import mean_loss
from nnplay.core.engine.row_reductions import FEW_COLUMNS, column_sums, row_max_argmax


def _logits(k: int, dtype) -> np.ndarray:
    rng = np.random.default_rng(k)
    z = (rng.standard_normal((3000, k)) * 20).astype(dtype)
    z[::5] = np.round(z[::5])  # ties
    z[1] = z[1, 0]  # a row of equal logits
    z[2] = -1e30 if k > 1 else z[2]  # huge and equal
    return z


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, FEW_COLUMNS, 12])
def test_softmax_is_numpys_own_bit_for_bit(k, dtype):
    z = _logits(k, dtype)
    shifted = z - z.max(axis=1, keepdims=True)
    want = np.exp(shifted)
    want /= want.sum(axis=1, keepdims=True)
    got = softmax(z)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    inplace = z.copy()
    assert softmax(inplace, out=inplace).tobytes() == want.tobytes()


@pytest.mark.parametrize("k", [1, 2, 3, 7, FEW_COLUMNS, 12])
def test_softmax_cross_entropy_and_predicted_class_are_numpys_own(k):
    z = _logits(k, np.float64)
    t = np.eye(k)[np.random.default_rng(0).integers(k, size=len(z))]
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    want = float(-np.einsum("ij,ij->", t, log_p) / len(z))
    assert mean_loss("softmax", "cross_entropy", z, softmax(z), t) == want
    assert np.array_equal(row_max_argmax(z)[1], z.argmax(axis=1))


@pytest.mark.parametrize(("n", "k"), [(1, 3), (7, 1), (5000, 8), (20_000, 2)])
def test_column_sums_are_numpys_up_to_the_order_of_additions(n: int, k: int) -> None:
    a = np.random.default_rng(n).standard_normal((n, k)) * 1e3
    out, spare = np.empty(k), np.ones(n + 10)  # ones longer than the rows: the first n are used
    assert column_sums(a, out) is out
    np.testing.assert_allclose(out, a.sum(axis=0), rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(column_sums(a, np.empty(k), spare), out)
    if n == 1:
        np.testing.assert_array_equal(out, a[0])  # one row: the row itself

"""The numba-compiled training step; imported only by ``core.engine.kernel.load_kernel``.

Module-level functions, so numba's on-disk cache (``cache=True``) works across runs.
See ``core.engine.kernel`` for what it computes and why.
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import intrinsic
from numba.np.random.random_methods import random_interval

from nnplay.core.engine.kernel_codes import CROSS_ENTROPY, LEAKY_RELU, MOMENTUM, RELU, SGD, SIGMOID, SOFTMAX, TANH
from nnplay.core.engine.network import MAX_SQUARED_NORM
from nnplay.core.engine.schedule import CONSTANT, scheduled_lr

# The schedule the numpy trainer runs, compiled (not inlined: no fast-math reordering of its sums).
scheduled_lr_compiled = njit(cache=True)(scheduled_lr)


@intrinsic
def _int_bits_as_float(typingctx, bits):
    """Reinterpret an int64's bits as a float64 (vectorisable, unlike math.ldexp)."""
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


LOG2E = 1.4426950408889634
LN2_HI = 0.6931471803691238  # ln 2 in two parts: k * LN2_HI is exact for the k used here
LN2_LO = 1.9082149292705877e-10


# Its own flags and not inlined by numba (LLVM inlines it and keeps these flags): with
# reassoc, ``(x - k * LN2_HI) - k * LN2_LO`` could be folded and lose the precision.
@njit(cache=True, fastmath={"contract"}, error_model="numpy")
def exp_neg(x):
    """exp(x) for x <= 0 within 1 ulp of libm, in plain arithmetic so a loop of it vectorises
    (a call to libm's exp does not). Below -708 it gives exp(-708) ~ 3e-308 instead of a
    smaller number: only ever used where that is added to 1 or is a sigmoid's tiny tail."""
    x = max(x, -708.0)
    k = math.floor(x * LOG2E + 0.5)
    r = (x - k * LN2_HI) - k * LN2_LO
    # The degree-13 Taylor polynomial, 1 + r + r^2 (1/2 + r/6 + ...), its tail by Estrin's
    # scheme: 5 dependent multiply-adds deep instead of Horner's 13 (a sigmoid layer waits
    # for its exps); the 1 is added last so the sum rounds once.
    r2 = r * r
    r4 = r2 * r2
    s0 = (0.5 + r * (1.0 / 6.0)) + (1.0 / 24.0 + r * (1.0 / 120.0)) * r2
    s1 = (1.0 / 720.0 + r * (1.0 / 5040.0)) + (1.0 / 40320.0 + r * (1.0 / 362880.0)) * r2
    s2 = (1.0 / 3628800.0 + r * (1.0 / 39916800.0)) + (1.0 / 479001600.0 + r * (1.0 / 6227020800.0)) * r2
    p = 1.0 + (r + r2 * ((s0 + s1 * r4) + s2 * (r4 * r4)))
    return p * _int_bits_as_float((int(k) + 1023) << 52)


@njit(cache=True, inline="always")
def sigmoid(z):
    e = exp_neg(-abs(z))
    return (1.0 if z >= 0.0 else e) / (1.0 + e)


@njit(cache=True)
def shuffle_in_place(rng, order):
    """``order`` reshuffled as numpy's ``rng.permutation(order)`` would (the same Fisher-Yates
    swaps, drawn from the same bit generator), so the kernel starts each epoch's new order
    itself and the random stream stays the one the numpy trainer draws from."""
    bitgen = rng.bit_generator
    for i in range(order.shape[0] - 1, 0, -1):
        j = np.intp(random_interval(bitgen, i))
        order[i], order[j] = order[j], order[i]


@njit(cache=True)
def largest_magnitude(w, b):
    """The largest |value| in w and b; NaN when one is NaN."""
    top = 0.0
    for values in (w, b):
        for q in range(values.shape[0]):
            x = abs(values[q])
            if x != x:
                return math.nan
            top = max(top, x)
    return top


@njit(cache=True)
def squared_norm(w, b):
    total = 0.0
    for q in range(w.shape[0]):
        total += w[q] * w[q]
    for q in range(b.shape[0]):
        total += b[q] * b[q]
    return total


@njit(cache=True, inline="always")
def act(code, z):
    if code == SIGMOID:
        return sigmoid(z)
    if code == TANH:
        return math.tanh(z)
    if code == RELU:
        return z if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return z if z > 0.0 else 0.01 * z
    return z


@njit(cache=True, inline="always")
def dact(code, z, a):
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else 0.01
    return 1.0


@njit(cache=True, inline="always")
def softmax_into(z, a, k, n):
    """a[k, :n] = softmax(z[k, :n]), shifted by the row's maximum so no exp overflows."""
    m = z[k, 0]
    for i in range(1, n):
        m = max(m, z[k, i])
    total = 0.0
    for i in range(n):
        e = math.exp(z[k, i] - m)
        a[k, i] = e
        total += e
    for i in range(n):
        a[k, i] /= total


@njit(cache=True, inline="always")
def elementwise_output_delta(out_code, loss_code, z, a, y):
    """dLoss/dz of one output that is not softmax: cross-entropy a - y, MSE (a - y) f'(z)."""
    if loss_code == CROSS_ENTROPY:
        return a - y
    if out_code == SIGMOID:  # spelled out: a loop of it vectorises without a call per element
        return (a - y) * (a * (1.0 - a))
    return (a - y) * dact(out_code, z, a)


@njit(cache=True, inline="always")
def output_delta(d, a, z, Y, row, L, n_out, out_code, loss_code):
    """d[L] = dLoss/dz at the output for one sample (cross-entropy with softmax or with any output; MSE)."""
    if out_code != SOFTMAX:
        for i in range(n_out):
            d[L, i] = elementwise_output_delta(out_code, loss_code, z[L, i], a[L, i], Y[row, i])
    elif loss_code == CROSS_ENTROPY:
        tsum = 0.0
        for i in range(n_out):
            tsum += Y[row, i]
        for i in range(n_out):
            d[L, i] = a[L, i] * tsum - Y[row, i]
    else:
        dot = 0.0
        for i in range(n_out):
            dot += a[L, i] * (a[L, i] - Y[row, i])
        for i in range(n_out):
            d[L, i] = a[L, i] * ((a[L, i] - Y[row, i]) - dot)


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"}, error_model="numpy")
def sgd_per_sample(
    params, sizes, w_off, b_off, codes, loss_code, X, Y, order, rng, at, n_steps,
    lr, sched_code, sched_total, step0, t, width,
):  # fmt: skip
    """``train_steps`` for one sample per update, plain SGD, no regulariser (the article's
    setting); same return value. The weights are updated as the deltas are found, in one
    pass over each layer, instead of going through the gradient buffer; an output layer
    that is not softmax goes forward, finds its deltas and updates in one pass per neuron.

    It works on a copy of the parameters as W[k, i, j] and B[k, i], written back before it
    returns, and on its own activation and delta rows (arrays it allocates, which the
    compiler knows alias nothing else): indexed by loop counters only, so numba adds no
    negative-index wraparound and the 8-wide loops vectorise. ``error_model="numpy"``: a division is just a division, no
    zero check and branch (the divisors here are never 0).
    """
    n_layers = sizes.shape[0] - 1
    n = order.shape[0]
    L = n_layers
    W = np.zeros((n_layers, width, width))
    B = np.zeros((n_layers, width))
    z = np.zeros((n_layers + 1, width))
    a = np.zeros((n_layers + 1, width))
    d = np.zeros((n_layers + 1, width))
    for k in range(n_layers):
        n_in, n_out = sizes[k], sizes[k + 1]
        wo, bo = w_off[k], b_off[k]
        for i in range(n_out):
            B[k, i] = params[bo + i]
            for j in range(n_in):
                W[k, i, j] = params[wo + i * n_in + j]
    flat_w, flat_b = W.reshape(-1), B.reshape(-1)
    # The divergence rule needs the squared norm only once a parameter may be this large: below
    # it, all of them together stay under a quarter of MAX_SQUARED_NORM. ``reach`` bounds every
    # |parameter| from above: at the start the largest, then grown by each step's largest
    # change (a neuron's |lr delta| times 1 + the sum of its |inputs|; sums, so a NaN or inf
    # carries through to the test), which costs a few operations per neuron, not per weight.
    small_bound = math.sqrt(MAX_SQUARED_NORM / (4.0 * (flat_w.shape[0] + flat_b.shape[0])))
    reach = largest_magnitude(flat_w, flat_b)
    out_code = codes[L - 1]
    fused = out_code != SOFTMAX  # softmax needs every output before any delta
    hidden_forward = n_layers - 1 if fused else n_layers
    cur_lr = lr
    result_done, epochs, diverged = n_steps, 0, False
    for done in range(n_steps):
        if sched_code != CONSTANT:
            cur_lr = scheduled_lr_compiled(lr, sched_code, step0 + done, sched_total)
        row = order[at]
        for i in range(sizes[0]):
            a[0, i] = X[row, i]
        for k in range(hidden_forward):
            n_in, n_out = sizes[k], sizes[k + 1]
            code = codes[k]
            for i in range(n_out):
                acc = 0.0
                for j in range(n_in):
                    acc += W[k, i, j] * a[k, j]
                z[k + 1, i] = acc + B[k, i]
            if code == SIGMOID:
                for i in range(n_out):
                    a[k + 1, i] = sigmoid(z[k + 1, i])
            elif code == SOFTMAX:
                softmax_into(z, a, k + 1, n_out)
            else:
                for i in range(n_out):
                    a[k + 1, i] = act(code, z[k + 1, i])
        if not fused:
            output_delta(d, a, z, Y, row, L, sizes[L], out_code, loss_code)
        for k in range(n_layers - 1, -1, -1):
            n_in, n_out = sizes[k], sizes[k + 1]
            if k > 0:
                for j in range(n_in):
                    d[k, j] = 0.0
            inputs = 1.0
            for j in range(n_in):
                inputs += abs(a[k, j])
            for i in range(n_out):
                if fused and k == L - 1:  # this output neuron's forward pass and delta, here
                    acc = 0.0
                    for j in range(n_in):
                        acc += W[k, i, j] * a[k, j]
                    zi = acc + B[k, i]
                    di = elementwise_output_delta(out_code, loss_code, zi, act(out_code, zi), Y[row, i])
                else:
                    di = d[k + 1, i]
                B[k, i] -= cur_lr * di
                reach += abs(cur_lr * di) * inputs
                if k > 0:  # the deltas sent back use the weights before this update
                    for j in range(n_in):
                        w = W[k, i, j]
                        d[k, j] += di * w
                        W[k, i, j] = w - cur_lr * (di * a[k, j])
                else:
                    for j in range(n_in):
                        W[k, i, j] -= cur_lr * (di * a[k, j])
            if k > 0:
                code = codes[k - 1]
                if code == SIGMOID:  # spelled out: the loop vectorises without a call per element
                    for j in range(n_in):
                        d[k, j] *= a[k, j] * (1.0 - a[k, j])
                else:
                    for j in range(n_in):
                        d[k, j] *= dact(code, z[k, j], a[k, j])
        t += 1
        if not reach < small_bound:
            if not squared_norm(flat_w, flat_b) < MAX_SQUARED_NORM:  # core.engine.network.parameters_diverged
                result_done, diverged = done, True
                break
            reach = largest_magnitude(flat_w, flat_b)
        at += 1
        if at >= n:  # the epoch is complete: the next one's order, as the numpy trainer draws it
            epochs += 1
            at = 0
            shuffle_in_place(rng, order)
    for k in range(n_layers):
        n_in, n_out = sizes[k], sizes[k + 1]
        wo, bo = w_off[k], b_off[k]
        for i in range(n_out):
            params[bo + i] = B[k, i]
            for j in range(n_in):
                params[wo + i * n_in + j] = W[k, i, j]
    return result_done, at, epochs, t, diverged, cur_lr


# Reassociation lets sums vectorise; NaN and inf keep their meaning (no nnan/ninf), so
# the divergence check below still sees them.
@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def train_steps(
    params, grad, state, sizes, w_off, b_off, n_weights, codes, loss_code,
    X, Y, order, rng, at, batch, n_steps,
    opt_code, lr, momentum, beta1, beta2, eps, l1, l2, t,
    sched_code, sched_total, step0, z, a, d,
):  # fmt: skip
    """Run up to ``n_steps`` updates (fewer only when the run diverges). ``order`` is the
    epoch's sample order: at each epoch's end it is reshuffled in place from ``rng``, as the
    numpy trainer does (a batch as large as the set keeps its order).

    Returns (good_steps, at, epochs_completed, t, diverged, last_lr).
    """
    n_layers = sizes.shape[0] - 1
    n = order.shape[0]
    if batch == 1 and n > 1 and opt_code == SGD and l1 == 0.0 and l2 == 0.0:  # the hot case
        return sgd_per_sample(
            params, sizes, w_off, b_off, codes, loss_code, X, Y, order, rng, at, n_steps,
            lr, sched_code, sched_total, step0, t, a.shape[1],
        )  # fmt: skip
    epochs = 0
    done = 0
    cur_lr = lr
    for _ in range(n_steps):
        if batch >= n:
            start, count = 0, n
        else:
            start, count = at, min(batch, n - at)
        cur_lr = scheduled_lr_compiled(lr, sched_code, step0 + done, sched_total)
        # One sample, plain SGD, no regulariser (the article's setting): update the weights
        # as the deltas are found instead of going through the gradient buffer.
        direct = count == 1 and opt_code == SGD and l1 == 0.0 and l2 == 0.0
        total = 0.0
        if not direct:
            grad[:] = 0.0
        for r in range(count):
            row = order[start + r]
            for i in range(sizes[0]):
                a[0, i] = X[row, i]
            # forward: z[k+1] = W_k a[k] + b_k ; a[k+1] = f(z[k+1])
            for k in range(n_layers):
                n_in, n_out = sizes[k], sizes[k + 1]
                wo, bo = w_off[k], b_off[k]
                code = codes[k]
                for i in range(n_out):
                    acc = 0.0
                    base = wo + i * n_in
                    for j in range(n_in):
                        acc += params[base + j] * a[k, j]
                    z[k + 1, i] = acc + params[bo + i]
                if code == SOFTMAX:
                    softmax_into(z, a, k + 1, n_out)
                else:
                    for i in range(n_out):
                        a[k + 1, i] = act(code, z[k + 1, i])
            # output delta
            L = n_layers
            n_out = sizes[L]
            out_code = codes[L - 1]
            output_delta(d, a, z, Y, row, L, n_out, out_code, loss_code)
            if direct:
                for k in range(n_layers - 1, -1, -1):
                    n_in, n_out = sizes[k], sizes[k + 1]
                    wo, bo = w_off[k], b_off[k]
                    if k > 0:  # the next deltas use the weights before this update
                        code = codes[k - 1]
                        for j in range(n_in):
                            acc = 0.0
                            for i in range(n_out):
                                acc += d[k + 1, i] * params[wo + i * n_in + j]
                            d[k, j] = acc * dact(code, z[k, j], a[k, j])
                    for i in range(n_out):
                        di = d[k + 1, i]
                        params[bo + i] -= cur_lr * di
                        total += params[bo + i] * params[bo + i]
                        base = wo + i * n_in
                        for j in range(n_in):
                            params[base + j] -= cur_lr * (di * a[k, j])
                            total += params[base + j] * params[base + j]
                continue
            # backward, accumulating the batch's gradient
            for k in range(n_layers - 1, -1, -1):
                n_in, n_out = sizes[k], sizes[k + 1]
                wo, bo = w_off[k], b_off[k]
                for i in range(n_out):
                    di = d[k + 1, i]
                    grad[bo + i] += di
                    base = wo + i * n_in
                    for j in range(n_in):
                        grad[base + j] += di * a[k, j]
                if k > 0:
                    code = codes[k - 1]
                    for j in range(n_in):
                        acc = 0.0
                        for i in range(n_out):
                            acc += d[k + 1, i] * params[wo + i * n_in + j]
                        d[k, j] = acc * dact(code, z[k, j], a[k, j])
        P = params.shape[0]
        if direct:
            t += 1
        else:
            if count > 1:
                inv = 1.0 / count
                for p in range(P):
                    grad[p] *= inv
            if l1 != 0.0 or l2 != 0.0:
                for p in range(n_weights):
                    g = grad[p]
                    if l2 != 0.0:
                        g += l2 * params[p]
                    if l1 != 0.0:
                        w = params[p]
                        g += l1 * (1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0))
                    grad[p] = g
            t += 1
            if opt_code == SGD:
                for p in range(P):
                    params[p] -= cur_lr * grad[p]
                    total += params[p] * params[p]
            elif opt_code == MOMENTUM:
                for p in range(P):
                    if t == 1:
                        state[0, p] = grad[p]
                    else:
                        state[0, p] = momentum * state[0, p] + grad[p]
                    params[p] -= cur_lr * state[0, p]
                    total += params[p] * params[p]
            else:  # ADAM
                bias1 = 1.0 - beta1**t
                bias2 = 1.0 - beta2**t
                root2 = math.sqrt(bias2)
                for p in range(P):
                    g = grad[p]
                    state[0, p] = state[0, p] * beta1 + (1.0 - beta1) * g
                    state[1, p] = state[1, p] * beta2 + (1.0 - beta2) * (g * g)
                    denom = math.sqrt(state[1, p]) * (1.0 / root2) + eps
                    params[p] -= (state[0, p] / denom) * (cur_lr / bias1)
                    total += params[p] * params[p]
        if not total < MAX_SQUARED_NORM:  # the rule of core.engine.network.parameters_diverged
            return done, at, epochs, t, True, cur_lr
        done += 1
        if batch >= n:
            epochs += 1
        else:
            at += count
            if at >= n:  # the epoch is complete: the next one's order, as the numpy trainer draws it
                epochs += 1
                at = 0
                shuffle_in_place(rng, order)
    return done, at, epochs, t, False, cur_lr

"""The numba-compiled training step; imported only by ``core.kernel.load_kernel``.

Module-level functions, so numba's on-disk cache (``cache=True``) works across runs.
See ``core.kernel`` for what it computes and why.
"""

import math

from numba import njit


@njit(cache=True, inline="always")
def act(code, z):
    if code == 0:
        # exp is several times cheaper than tanh; both forms are exact to an ulp or two.
        e = math.exp(-abs(z))
        return (1.0 if z >= 0.0 else e) / (1.0 + e)
    if code == 1:
        return math.tanh(z)
    if code == 2:
        return z if z > 0.0 else 0.0
    if code == 3:
        return z if z > 0.0 else 0.01 * z
    return z


@njit(cache=True, inline="always")
def dact(code, z, a):
    if code == 0:
        return a * (1.0 - a)
    if code == 1:
        return 1.0 - a * a
    if code == 2:
        return 1.0 if z > 0.0 else 0.0
    if code == 3:
        return 1.0 if z > 0.0 else 0.01
    return 1.0


# Reassociation lets sums vectorise; NaN and inf keep their meaning (no nnan/ninf), so
# the divergence check below still sees them.
@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def train_steps(
    params, grad, state, sizes, w_off, b_off, n_weights, codes, loss_code,
    X, Y, order, at, batch, n_steps,
    opt_code, lr, momentum, beta1, beta2, eps, l1, l2, t,
    sched_code, sched_total, step0, z, a, d,
):  # fmt: skip
    """Run up to ``n_steps`` updates; stops early at an epoch's end (the caller reshuffles).

    Returns (good_steps, at, epochs_completed, t, diverged, last_lr).
    """
    n_layers = sizes.shape[0] - 1
    n = order.shape[0]
    epochs = 0
    done = 0
    cur_lr = lr
    for _ in range(n_steps):
        if batch >= n:
            start, count = 0, n
        else:
            start, count = at, min(batch, n - at)
        # the scheduled learning rate for this update
        if sched_code == 0:
            cur_lr = lr
        else:
            progress = min((step0 + done) / sched_total, 1.0)
            if sched_code == 1:
                cur_lr = lr * 0.5 ** min(math.floor(progress * 4), 3)
            else:
                cur_lr = lr * 0.5 * (1.0 + math.cos(math.pi * progress))
        # One sample, plain SGD, no regulariser (the article's setting): update the weights
        # as the deltas are found instead of going through the gradient buffer.
        direct = count == 1 and opt_code == 0 and l1 == 0.0 and l2 == 0.0
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
                if code == 5:
                    m = z[k + 1, 0]
                    for i in range(1, n_out):
                        m = max(m, z[k + 1, i])
                    total = 0.0
                    for i in range(n_out):
                        e = math.exp(z[k + 1, i] - m)
                        a[k + 1, i] = e
                        total += e
                    for i in range(n_out):
                        a[k + 1, i] /= total
                else:
                    for i in range(n_out):
                        a[k + 1, i] = act(code, z[k + 1, i])
            # output delta
            L = n_layers
            n_out = sizes[L]
            out_code = codes[L - 1]
            if loss_code == 1:
                if out_code == 5:
                    tsum = 0.0
                    for i in range(n_out):
                        tsum += Y[row, i]
                    for i in range(n_out):
                        d[L, i] = a[L, i] * tsum - Y[row, i]
                else:
                    for i in range(n_out):
                        d[L, i] = a[L, i] - Y[row, i]
            elif out_code == 5:
                dot = 0.0
                for i in range(n_out):
                    dot += a[L, i] * (a[L, i] - Y[row, i])
                for i in range(n_out):
                    d[L, i] = a[L, i] * ((a[L, i] - Y[row, i]) - dot)
            else:
                for i in range(n_out):
                    d[L, i] = (a[L, i] - Y[row, i]) * dact(out_code, z[L, i], a[L, i])
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
                        total += params[bo + i]
                        base = wo + i * n_in
                        for j in range(n_in):
                            params[base + j] -= cur_lr * (di * a[k, j])
                            total += params[base + j]
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
            if not math.isfinite(total):
                return done, at, epochs, t, True, cur_lr
            done += 1
            if batch >= n:
                epochs += 1
            else:
                at += count
                if at >= n:
                    epochs += 1
                    at = 0
                    return done, at, epochs, t, False, cur_lr
            continue
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
        if opt_code == 0:
            for p in range(P):
                params[p] -= cur_lr * grad[p]
                total += params[p]
        elif opt_code == 1:
            for p in range(P):
                if t == 1:
                    state[0, p] = grad[p]
                else:
                    state[0, p] = momentum * state[0, p] + grad[p]
                params[p] -= cur_lr * state[0, p]
                total += params[p]
        else:
            bias1 = 1.0 - beta1**t
            bias2 = 1.0 - beta2**t
            root2 = math.sqrt(bias2)
            for p in range(P):
                g = grad[p]
                state[0, p] = state[0, p] * beta1 + (1.0 - beta1) * g
                state[1, p] = state[1, p] * beta2 + (1.0 - beta2) * (g * g)
                denom = math.sqrt(state[1, p]) * (1.0 / root2) + eps
                params[p] -= (state[0, p] / denom) * (cur_lr / bias1)
                total += params[p]
        if not math.isfinite(total):
            return done, at, epochs, t, True, cur_lr
        done += 1
        if batch >= n:
            epochs += 1
        else:
            at += count
            if at >= n:
                epochs += 1
                at = 0
                return done, at, epochs, t, False, cur_lr
    return done, at, epochs, t, False, cur_lr

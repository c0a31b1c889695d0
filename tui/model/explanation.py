"""The text of *explain one step*: one sample's forward pass, errors, deltas and the selected
neuron's update, as Markdown with the formulas (the explain screen shows it)."""

from __future__ import annotations

import re

import numpy as np

from nnplay.core.data.features import feature_matrix
from nnplay.core.io.outside_text import printable
from nnplay.core.run.trainer import Snapshot, targets_for
from nnplay.core.teaching.explain import explain_step
from nnplay.tui.model.view_state import Selection


def markdown_text(text: str) -> str:
    """Outside text (a class name from a file) shown in Markdown as itself: printable, its
    Markdown punctuation escaped so that it neither formats nor links."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", printable(text))


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def vec(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:+.4f}" for v in np.ravel(values)) + "]"


def zero_rate_note(lr: float, schedule: str, steps: np.ndarray) -> list[str]:
    """Why every Δ reads ±0.0000 when it does: the rate in force is 0 (a cosine schedule ends
    there) or too small for four decimals. Without it the step looks broken."""
    if lr == 0:
        why = f"the {schedule} schedule has brought it down to 0" if schedule != "constant" else "it is set to 0"
        return [f"- **The rate is 0 at this step** ({why}): the step moves no weight, so every Δ is 0."]
    if np.all(np.abs(steps) < 0.00005):
        return [f"- The rate η = {lr:g} is so small here that every Δ rounds to ±0.0000 at four decimals."]
    return []


def explanation_markdown(snap: Snapshot, index: int, sel: Selection) -> str:
    """The whole step as Markdown, for sample ``index`` of the training set and the selected neuron."""
    net, data, config = snap.network, snap.data, snap.config
    x_raw = data.X_train[index]
    label = data.y_train[index]
    n_out = net.sizes[-1]
    target = targets_for(np.array([label]), n_out, net.output, data.is_regression)[0]
    inputs = feature_matrix(x_raw.reshape(1, 2), config.features)[0]
    ex = explain_step(net, inputs, target)
    L = len(net.sizes) - 1
    if data.is_regression:
        what = f"target {label:+.3f}"
    else:
        what = f"class {label + 1} ({markdown_text(data.class_names[label])})"
    lines = [
        f"# One training step, explained (step {snap.step:,})",
        f"Sample {index} of the training set: (x, y) = ({x_raw[0]:+.3f}, {x_raw[1]:+.3f}), {what}.",
        f"Features {', '.join(config.features)} give a₀ = `{vec(ex.inputs)}`; target t = `{vec(ex.target)}`.",
        "## Forward pass: z_k = W_k a_(k-1) + b_k,  a_k = f(z_k)",
    ]
    for k in range(1, L + 1):
        f = net.output if k == L else net.activations[k - 1]
        name = "output" if k == L else f"layer {k}"
        lines.append(f"- **{name}** ({f}): z = `{vec(ex.zs[k - 1])}`  \n  a = `{vec(ex.activations[k])}`")
    lines += [
        f"Loss ({net.loss_name}) = **{ex.loss:.6f}**",
        "## Backward pass",
        f"Output error a_L − t = `{vec(ex.error)}`",
        f"- {ex.output_rule(net)}  \n  δ_{L} = `{vec(ex.deltas[-1])}`",
    ]
    for k in range(L - 1, 0, -1):
        lines.append(f"- {ex.hidden_rule(net, k)}  \n  δ_{k} = `{vec(ex.deltas[k - 1])}`")
    if config.backprop == "article-v2" and L > 1:
        lines.append(
            f"**This run trains with the article's FLAWED rule (backprop article-v2).** Its layer {L - 1} "
            f"receives W_{L}ᵀ(a_L − t) = `{vec(ex.error @ net.weights[-1])}`, the output error without the "
            f"slope, where backprop sends W_{L}ᵀδ_{L} = `{vec(ex.deltas[-1] @ net.weights[-1])}`; its bias "
            "updates skip the slopes too. The update below is the correct one."
        )
    layer = sel.layer if 1 <= sel.layer <= L else L
    neuron = sel.neuron if sel.layer == layer and sel.neuron < net.sizes[layer] else 0
    delta = ex.deltas[layer - 1][neuron]
    prev = ex.activations[layer - 1]
    weights = net.weights[layer - 1][neuron]
    grads = ex.weight_grads[layer - 1][neuron]
    lr = snap.learning_rate  # the rate this step would use: a schedule lowers the typed one
    rate = f"η = {lr:g}" if config.schedule == "constant" else f"η = {lr:g} ({config.schedule} schedule at this step)"
    lines += [
        f"## The selected neuron: layer {layer}, neuron {neuron + 1}",
        f"δ = {delta:+.6f}; its inputs a_{layer - 1} = `{vec(prev)}`",
        f"- ∂L/∂w_j = δ · a_j = `{vec(grads)}`",
        f"- ∂L/∂b = δ = {delta:+.6f}",
    ]
    if config.l1 or config.l2:
        # As the optimiser does: on the weights only, never the biases.
        grads = grads + config.l2 * weights + config.l1 * np.sign(weights)
        lines.append(f"- plus regularisation on the weights, L2 λ₂·w + L1 λ₁·sign(w): ∂/∂w_j = `{vec(grads)}`")
    lines += [
        f"- one SGD step with learning rate {rate}: Δw = −η ∂/∂w = `{vec(-lr * grads)}`, Δb = {-lr * delta:+.6f}",
        f"- weights now `{vec(weights)}` → after `{vec(weights - lr * grads)}`",
    ]
    lines += zero_rate_note(lr, config.schedule, np.append(lr * grads, lr * delta))
    lines += [
        "",
        "With a batch, the gradients of its samples are averaged before the step; momentum and Adam "
        "then reshape the step, and dropout silences some hidden neurons while training (see the help "
        "screen). `x` shows another sample, `escape` closes.",
    ]
    return "\n\n".join(lines)

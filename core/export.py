"""Export a trained network: a standalone PyTorch script, a pure-numpy script, or JSON.

JSON format (``nnplay-network``, version 1)::

    {"format": "nnplay-network", "version": 1,
     "sizes": [n_in, ..., n_out], "features": ["x", "y", ...],
     "activations": [hidden layer activations...], "output": "softmax", "loss": "cross_entropy",
     "layers": [{"weights": [[...], ...], "biases": [...]}, ...],   # weights[i][j]: to neuron i from j
     "classes": ["orange", "blue"], "extent": 6.0}

The scripts carry the weights as literals (``repr`` of each float, so values round-trip
exactly), the input feature transform and a ``predict(points)`` on raw (x, y) points.
"""

from __future__ import annotations

import json
from typing import Any

from core.network import Network

FORMATS = ("torch", "numpy", "json")
DEFAULT_NAMES = {"torch": "nnplay_model.py", "numpy": "nnplay_model_numpy.py", "json": "nnplay_model.json"}

# Feature expressions over a (n, 2) array ``p`` of raw points, in numpy and torch spelling.
_FEATURES_NP = {"x": "p[:, 0]", "y": "p[:, 1]", "x2": "p[:, 0] ** 2", "y2": "p[:, 1] ** 2", "xy": "p[:, 0] * p[:, 1]",
                "sinx": "np.sin(p[:, 0])", "siny": "np.sin(p[:, 1])"}  # fmt: skip
_TORCH_MODULES = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "linear": "nn.Identity()",
    "softmax": "nn.Softmax(dim=1)",
}
_NUMPY_ACTS = {
    "sigmoid": "0.5 * (1.0 + np.tanh(0.5 * z))",
    "tanh": "np.tanh(z)",
    "relu": "np.maximum(z, 0.0)",
    "leaky_relu": "np.maximum(z, 0.01 * z)",
    "linear": "z",
    "softmax": "np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(1)[:, None]",
}


def network_dict(net: Network, features: tuple[str, ...], classes: tuple[str, ...], extent: float) -> dict[str, Any]:
    return {
        "format": "nnplay-network",
        "version": 1,
        "sizes": list(net.sizes),
        "features": list(features),
        "activations": list(net.activations),
        "output": net.output,
        "loss": net.loss_name,
        "layers": [{"weights": w.tolist(), "biases": b.tolist()} for w, b in zip(net.weights, net.biases, strict=True)],
        "classes": list(classes),
        "extent": extent,
    }


def export_json(net: Network, features: tuple[str, ...], classes: tuple[str, ...], extent: float) -> str:
    return json.dumps(network_dict(net, features, classes, extent), indent=1) + "\n"


def _literal(values: Any) -> str:
    # repr() of a Python float is the shortest string that reads back to the same double.
    return repr(values)


def _feature_lines(features: tuple[str, ...], stack: str) -> str:
    return f"    return {stack}([{', '.join(_FEATURES_NP[f] for f in features)}], axis=1)"


def export_numpy(net: Network, features: tuple[str, ...], classes: tuple[str, ...]) -> str:
    acts = [*net.activations, net.output]
    layers = ",\n".join(
        f"    (np.array({_literal(w.tolist())}), np.array({_literal(b.tolist())}), {a!r})"
        for w, b, a in zip(net.weights, net.biases, acts, strict=True)
    )
    act_defs = "\n".join(f"    if name == {k!r}:\n        return {v}" for k, v in _NUMPY_ACTS.items())
    return f'''"""A network trained with nnplay, as pure numpy. predict(points) takes raw (x, y) points."""

import numpy as np

CLASSES = {list(classes)!r}
LAYERS = [  # (weights: rows = receiving neurons, biases, activation)
{layers},
]


def features(p):
{_feature_lines(features, "np.stack")}


def activate(name, z):
{act_defs}
    raise ValueError(name)


def predict(points):
    a = features(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    for w, b, name in LAYERS:
        a = activate(name, a @ w.T + b)
    return a


if __name__ == "__main__":
    demo = [[0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]]
    for point, out in zip(demo, predict(demo)):
        print(point, np.round(out, 4))
'''


def export_torch(net: Network, features: tuple[str, ...], classes: tuple[str, ...]) -> str:
    modules = []
    acts = [*net.activations, net.output]
    for (n_in, n_out), act in zip(zip(net.sizes[:-1], net.sizes[1:], strict=True), acts, strict=True):
        modules.append(f"    nn.Linear({n_in}, {n_out}),")
        modules.append(f"    {_TORCH_MODULES[act]},")
    loads = "\n".join(
        f"    model[{2 * k}].weight.copy_(torch.tensor({_literal(w.tolist())}, dtype=torch.float64))\n"
        f"    model[{2 * k}].bias.copy_(torch.tensor({_literal(b.tolist())}, dtype=torch.float64))"
        for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True))
    )
    torch_features = ", ".join(_FEATURES_NP[f].replace("np.sin", "torch.sin") for f in features)
    return f'''"""A network trained with nnplay, as a standalone PyTorch model (float64)."""

import torch
from torch import nn

CLASSES = {list(classes)!r}

model = nn.Sequential(
{chr(10).join(modules)}
).double()

with torch.no_grad():
{loads}


def features(p):
    return torch.stack([{torch_features}], dim=1)


def predict(points):
    p = torch.as_tensor(points, dtype=torch.float64).reshape(-1, 2)
    with torch.no_grad():
        return model(features(p))


if __name__ == "__main__":
    demo = [[0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]]
    for point, out in zip(demo, predict(demo)):
        print(point, [round(v, 4) for v in out.tolist()])
'''


def export(net: Network, features: tuple[str, ...], classes: tuple[str, ...], extent: float, fmt: str) -> str:
    if fmt == "json":
        return export_json(net, features, classes, extent)
    if fmt == "numpy":
        return export_numpy(net, features, classes)
    if fmt == "torch":
        return export_torch(net, features, classes)
    raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")

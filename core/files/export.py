"""Export a trained network: a standalone PyTorch script, numpy arrays + a script, or JSON.

Every export carries the input feature transform (the network sees ``features``, computed
from raw (x, y) points: ``x``, ``y``, ``x2`` = x², ``y2`` = y², ``xy`` = x·y, ``sinx`` = sin x,
``siny`` = sin y, in the configured order) and reproduces ``Network.forward`` on those
features: each layer computes ``a = f(a @ W.T + b)``.

``torch``
    One script: the ``nn.Sequential`` (Linear layers and Sigmoid, Tanh, ReLU,
    LeakyReLU(0.01), Identity; output Softmax(dim=1), Sigmoid, Tanh or Identity) in float64,
    the trained weights as literals, ``features(p)``, ``predict(points)`` and a demo under
    ``if __name__ == "__main__":``.
``numpy``
    A ``.npz`` (read with ``allow_pickle=False``) holding ``W0, b0, W1, b1, ...``
    (``Wk`` has shape (out, in): row = receiving neuron) and the string arrays ``features``,
    ``activations`` (hidden layers), ``output``, ``classes``, plus a pure-numpy script
    ``<name>_predict.py`` next to it that loads the ``.npz`` and has ``predict(points)``.
    When the output name ends in ``.py``, one self-contained numpy script with the weights
    as literals is written instead.
``json``
    The documented format below.

Literals are the ``repr`` of each float and JSON numbers are written the same way, so
every weight reads back bit for bit. Text that is not nnplay's own (the ``.npz`` file's name,
class names from a session) enters a script only as a ``repr`` literal and JSON only as an
escaped JSON string: it is data, never code, whatever characters it holds.

JSON format (``nnplay-network``, version 1)::

    {"format": "nnplay-network", "version": 1,
     "sizes": [n_in, ..., n_out],           # neurons per layer, inputs first
     "features": ["x", "y", ...],           # what the n_in inputs are, in order
     "activations": ["tanh", ...],          # one per hidden layer
     "output": "softmax",                   # sigmoid, softmax, tanh or linear
     "loss": "cross_entropy",               # what it was trained with (mse or cross_entropy)
     "layers": [{"weights": [[...], ...],   # weights[i][j]: to neuron i from neuron j
                 "biases": [...]}, ...],
     "classes": ["orange", "blue"],         # name of each output (classification), else []
     "extent": 6.0}                         # the data lies in [-extent, extent]²
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from nnplay.core.engine.network import Network

FORMATS = ("torch", "numpy", "json")
DEFAULT_NAMES = {"torch": "nnplay_model.py", "numpy": "nnplay_model.npz", "json": "nnplay_model.json"}

# Feature expressions over a (n, 2) array ``p`` of raw points; torch spells sin torch.sin.
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
# The numpy scripts' activation table, written into them verbatim.
_NUMPY_ACTIVATIONS = """def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = {
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.maximum(z, 0.01 * z),
    "linear": lambda z: z,
    "softmax": softmax,
}"""
_DEMO_POINTS = "[[0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]]"


def _check(net: Network, features: tuple[str, ...]) -> None:
    if len(features) != net.sizes[0] or any(f not in _FEATURES_NP for f in features):
        raise ValueError(f"features {list(features)} do not fit a network with {net.sizes[0]} inputs")
    if not np.isfinite(net.params).all():
        raise ValueError("the network's weights are not finite (training diverged); nothing to export")


def _layers(net: Network) -> list[tuple[np.ndarray, np.ndarray, str]]:
    acts = [*net.activations, net.output]
    return list(zip(list(net.weights), list(net.biases), acts, strict=True))


def network_dict(net: Network, features: tuple[str, ...], classes: tuple[str, ...], extent: float) -> dict[str, Any]:
    """The JSON document as a dict (see the module docstring)."""
    _check(net, features)
    return {
        "format": "nnplay-network",
        "version": 1,
        "sizes": list(net.sizes),
        "features": list(features),
        "activations": list(net.activations),
        "output": net.output,
        "loss": net.loss_name,
        "layers": [{"weights": w.tolist(), "biases": b.tolist()} for w, b, _ in _layers(net)],
        "classes": list(classes),
        "extent": float(extent),
    }


def export_json(net: Network, features: tuple[str, ...], classes: tuple[str, ...], extent: float) -> str:
    """The JSON text: one key per line, one weight row per line (json.dumps writes floats by repr)."""
    doc = network_dict(net, features, classes, extent)

    def dump(value: Any) -> str:
        return json.dumps(value, allow_nan=False)

    layers = ",\n".join(
        '    {"weights": [\n' + ",\n".join(f"      {dump(row)}" for row in layer["weights"]) + "\n     ],\n"
        f'     "biases": {dump(layer["biases"])}}}'
        for layer in doc.pop("layers")
    )
    head = "".join(f"  {dump(key)}: {dump(value)},\n" for key, value in doc.items() if key not in ("classes", "extent"))
    tail = f'  "classes": {dump(doc["classes"])},\n  "extent": {dump(doc["extent"])}\n'
    return "{\n" + head + f'  "layers": [\n{layers}\n  ],\n' + tail + "}\n"


def _literal(a: np.ndarray) -> str:
    # repr() of a Python float is the shortest text that reads back to the same double.
    return repr(a.tolist())


def _features_def(features: tuple[str, ...], torch: bool = False) -> str:
    columns = ", ".join(_FEATURES_NP[f] for f in features)
    if torch:
        columns = columns.replace("np.sin", "torch.sin")
        return f"def features(p):\n    return torch.stack([{columns}], dim=1)"
    return f"def features(p):\n    return np.stack([{columns}], axis=1)"


def _numpy_predict_and_demo(n_outputs: int) -> str:
    """The end of both numpy scripts: ``predict`` over ``features`` and ``LAYERS``, and a demo."""
    return f'''def predict(points):
    """Outputs, shape (n, {n_outputs}), for raw points of shape (n, 2)."""
    a = features(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    for w, b, name in LAYERS:
        a = ACTIVATIONS[name](a @ w.T + b)
    return a


if __name__ == "__main__":
    demo = {_DEMO_POINTS}
    for point, out in zip(demo, predict(demo)):
        print(point, np.round(out, 4).tolist())
'''


def export_numpy(net: Network, features: tuple[str, ...], classes: tuple[str, ...]) -> str:
    """One self-contained pure-numpy script with the weights as literals."""
    _check(net, features)
    layers = ",\n".join(f"    (np.array({_literal(w)}), np.array({_literal(b)}), {a!r})" for w, b, a in _layers(net))
    return f'''"""A network trained with nnplay, in pure numpy: predict(points) takes raw (x, y) points."""

import numpy as np

CLASSES = {list(classes)!r}
FEATURES = {list(features)!r}
LAYERS = [  # (weights: row = receiving neuron, biases, activation)
{layers},
]

{_NUMPY_ACTIVATIONS}


{_features_def(features)}


{_numpy_predict_and_demo(net.sizes[-1])}'''


def export_npz(net: Network, features: tuple[str, ...], classes: tuple[str, ...]) -> bytes:
    """The ``.npz`` of the numpy format: ``W0, b0, ...`` and string metadata, no pickles."""
    _check(net, features)
    arrays: dict[str, np.ndarray] = {}
    for k, (w, b, _) in enumerate(_layers(net)):
        arrays[f"W{k}"], arrays[f"b{k}"] = np.array(w), np.array(b)
    arrays["features"] = np.array(features, dtype=str)
    arrays["activations"] = np.array(net.activations, dtype=str).reshape(-1)
    arrays["output"] = np.array(net.output)
    arrays["classes"] = np.array(classes, dtype=str).reshape(-1)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def npz_script(npz_name: str, n_outputs: int) -> str:
    """The pure-numpy script that sits next to ``npz_name`` and predicts with it."""
    feature_table = ",\n".join(f"    {name!r}: lambda p: {expr}" for name, expr in _FEATURES_NP.items())
    # The name is data, not code: it enters the script only as a repr() literal (escapes included),
    # so any name the file system allows (quotes, backslashes, newlines, bytes that are not UTF-8)
    # makes a script that compiles and finds its file.
    return f'''"""A network trained with nnplay, in pure numpy: predict(points) takes raw (x, y) points.

The weights are in the .npz file named NPZ_NAME, next to this file: W0, b0, W1, b1, ...
(Wk has shape (out, in): row = receiving neuron), with the string arrays features,
activations (hidden layers), output and classes.
"""

from pathlib import Path

import numpy as np

NPZ_NAME = {npz_name!r}
FEATURES = {{
{feature_table},
}}

{_NUMPY_ACTIVATIONS}


def load(path=Path(__file__).with_name(NPZ_NAME)):
    """(feature names, [(weights, biases, activation), ...], class names) from the .npz."""
    with np.load(path, allow_pickle=False) as f:
        acts = [str(a) for a in f["activations"]] + [str(f["output"])]
        layers = [(f[f"W{{k}}"], f[f"b{{k}}"], a) for k, a in enumerate(acts)]
        return [str(s) for s in f["features"]], layers, [str(c) for c in f["classes"]]


FEATURE_NAMES, LAYERS, CLASSES = load()


def features(p):
    return np.stack([FEATURES[name](p) for name in FEATURE_NAMES], axis=1)


{_numpy_predict_and_demo(n_outputs)}'''


def export_torch(net: Network, features: tuple[str, ...], classes: tuple[str, ...]) -> str:
    """A standalone PyTorch script: the float64 ``nn.Sequential`` with the trained weights."""
    _check(net, features)
    modules = []
    for w, _, act in _layers(net):
        n_out, n_in = w.shape
        modules += [f"    nn.Linear({n_in}, {n_out}),", f"    {_TORCH_MODULES[act]},"]
    loads = "\n".join(
        f"    model[{2 * k}].weight.copy_(torch.tensor({_literal(w)}, dtype=torch.float64))\n"
        f"    model[{2 * k}].bias.copy_(torch.tensor({_literal(b)}, dtype=torch.float64))"
        for k, (w, b, _) in enumerate(_layers(net))
    )
    newline = "\n"
    return f'''"""A network trained with nnplay, as a standalone PyTorch model (float64).

predict(points) takes raw (x, y) points; features(p) computes the inputs the network was trained on.
"""

import torch
from torch import nn

CLASSES = {list(classes)!r}
FEATURES = {list(features)!r}

model = nn.Sequential(
{newline.join(modules)}
).double()

with torch.no_grad():
{loads}


{_features_def(features, torch=True)}


def predict(points):
    """Outputs, shape (n, {net.sizes[-1]}), for raw points of shape (n, 2)."""
    p = torch.as_tensor(points, dtype=torch.float64).reshape(-1, 2)
    with torch.no_grad():
        return model(features(p))


if __name__ == "__main__":
    demo = {_DEMO_POINTS}
    for point, out in zip(demo, predict(demo)):
        print(point, [round(v, 4) for v in out.tolist()])
'''


def predict_script_path(npz_path: str | Path) -> Path:
    """Where the numpy format puts its script: ``model.npz`` -> ``model_predict.py``."""
    p = Path(npz_path)
    return p.with_name(p.stem + "_predict.py")


def export_files(
    net: Network, features: tuple[str, ...], classes: tuple[str, ...], extent: float, fmt: str, out: str | Path
) -> list[tuple[Path, bytes]]:
    """The files one export writes, as (path, contents); raises ValueError on a bad format or network."""
    out = Path(out)
    if fmt == "json":
        return [(out, export_json(net, features, classes, extent).encode())]
    if fmt == "torch":
        return [(out, export_torch(net, features, classes).encode())]
    if fmt == "numpy":
        if out.suffix == ".py":
            return [(out, export_numpy(net, features, classes).encode())]
        script = npz_script(out.name, net.sizes[-1])
        return [(out, export_npz(net, features, classes)), (predict_script_path(out), script.encode())]
    raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")

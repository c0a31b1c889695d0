"""The integer codes the compiled kernel takes for the names of a configuration.

numba compares integers, not strings: the trainer looks each name up here and the kernel
compares with these names, so each code is written once (the schedules' are in
``core.engine.schedule``, beside the function that reads them). numba freezes a global's value
into the compiled code and its cache does not notice a change to this file: after
renumbering, delete ``core/__pycache__/kernel_numba*.nbi/.nbc``.
"""

from __future__ import annotations

SIGMOID, TANH, RELU, LEAKY_RELU, LINEAR, SOFTMAX = range(6)
ACTIVATION_CODES = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "leaky_relu": LEAKY_RELU, "linear": LINEAR,
                    "softmax": SOFTMAX}  # fmt: skip
MSE, CROSS_ENTROPY = range(2)
LOSS_CODES = {"mse": MSE, "cross_entropy": CROSS_ENTROPY}
SGD, MOMENTUM, ADAM = range(3)
OPTIMIZER_CODES = {"sgd": SGD, "momentum": MOMENTUM, "adam": ADAM}

"""nnplay's terminal front end: the Textual app and the ``nnplay`` command."""

import os

# The app's threads (the trainer, the frames) call BLAS at the same time. numpy's BLAS would
# otherwise start a thread per core for the larger products, and on a busy machine those threads
# wait for each other: a training step at batch 1000 took 146 ms instead of 4 ms, a frame's grid
# pass 119 ms instead of 13 ms. One BLAS thread per caller; set before numpy is first imported
# (this package's modules import it), and a value already in the environment is kept.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

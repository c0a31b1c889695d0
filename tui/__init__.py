"""nnplay's terminal front end: the Textual app and the ``nnplay`` command."""

import os

# The trainer runs in one thread beside the UI's. numpy's BLAS would otherwise start a thread
# per core for the larger matrix products (32-wide layers at batch 1000), and on a busy machine
# those threads wait for each other: measured here 146 ms a step instead of 4 ms with one.
# Set before numpy is first imported (this package's modules import it); a value already in
# the environment is kept.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

"""nnplay's terminal front end: the Textual app and the ``nnplay`` command."""

import os

# The app's threads (the trainer, the frames) call BLAS at the same time; OpenBLAS's own worker
# threads on top of them oversubscribe the cores and spin waiting for each other (a frame's grid
# pass took 119 ms instead of 13 ms while training ran). One BLAS thread per caller, unless the
# user chose otherwise; this runs before numpy is imported (``nnplay`` imports this package first).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

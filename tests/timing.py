"""How long a test waits for what it checks: deadlines that scale with how busy the machine is.

A deadline is how long to wait for something that should happen, never a claim about speed, so
it is multiplied by ``timeout_scale()``: NNPLAY_TEST_TIMEOUT_SCALE (default 1, e.g. 3 on a slow
machine), times the load per core when the machine is busier than its cores.
"""

from __future__ import annotations

import os

TIMEOUT_SCALE_VARIABLE = "NNPLAY_TEST_TIMEOUT_SCALE"


def timeout_scale() -> float:
    load_per_core = os.getloadavg()[0] / (os.cpu_count() or 1)
    return float(os.environ.get(TIMEOUT_SCALE_VARIABLE, "1")) * max(1.0, load_per_core)

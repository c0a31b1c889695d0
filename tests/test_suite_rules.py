"""The suite's own rule: a test asserts behaviour, never an upper bound on wall-clock time.

A bound such as ``assert elapsed < 1.0`` passes on a quiet machine and fails on a busy one
(a shared login node, a laptop running a browser, the suite's own workers): it measures the
machine, not the code. A test waits for what it checks, with a generous deadline whose failure
says what never happened; how fast something is belongs in benchmarks/, which report times.

The check reads every test file's syntax tree: a duration is a subtraction involving a clock
reading (``time.monotonic()``, ``time.perf_counter()``, ``time.time()``, or a name bound to one),
or a name bound to such a subtraction; an ``assert`` that bounds a duration from above (``<``,
``<=``, or ``>``/``>=`` with the duration on the right) breaks the rule. A deadline check
(``assert time.monotonic() < deadline``) compares a clock reading, not a duration, and a lower
bound (``elapsed >= wait``: it did wait) cannot fail for slowness: both are allowed.

The same claim hides in a fixed sleep followed by an assert that something grew
(``await pilot.pause(0.5)`` then ``assert step > first``; ``time.sleep(1.2)`` as a block's last
statement, then ``assert len(published) >= 4``): it asserts how much happens in that time. Such a
test waits until it happened; a sleep before an ``==`` (nothing changed meanwhile) is allowed.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable
from pathlib import Path

TESTS = Path(__file__).parent
CLOCKS = {"monotonic", "perf_counter", "time", "monotonic_ns", "perf_counter_ns", "time_ns"}


def _is_clock_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr in CLOCKS and isinstance(func.value, ast.Name) and func.value.id == "time"
    return isinstance(func, ast.Name) and func.id in {"monotonic", "perf_counter"}


def _mentions(node: ast.AST, names: set[str], clock: bool) -> bool:
    return any(
        (isinstance(sub, ast.Name) and sub.id in names) or (clock and _is_clock_call(sub)) for sub in ast.walk(node)
    )


def _assigned(tree: ast.AST) -> list[tuple[list[str], ast.AST]]:
    pairs = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            pairs.append((targets, node.value))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name) and node.value:
            pairs.append(([node.target.id], node.value))
    return pairs


def wall_clock_bounds(source: str) -> list[int]:
    """The line numbers of the asserts in ``source`` that bound a duration from above."""
    tree = ast.parse(source)
    assigned = _assigned(tree)
    readings = {name for targets, value in assigned if _mentions(value, set(), clock=True) for name in targets}

    def is_duration(node: ast.AST) -> bool:
        return any(
            isinstance(sub, ast.BinOp)
            and isinstance(sub.op, ast.Sub)
            and (_mentions(sub.left, readings, clock=True) or _mentions(sub.right, readings, clock=True))
            for sub in ast.walk(node)
        )

    durations: set[str] = set()
    changed = True
    while changed:  # a name bound to a duration, or to an expression of such names, is one too
        changed = False
        for targets, value in assigned:
            if (is_duration(value) or _mentions(value, durations, clock=False)) and not set(targets) <= durations:
                durations |= set(targets)
                changed = True

    def holds_duration(node: ast.AST) -> bool:
        return is_duration(node) or _mentions(node, durations, clock=False)

    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            sides = [compare.left, *compare.comparators]
            for op, left, right in zip(compare.ops, sides, sides[1:], strict=False):
                upper = (isinstance(op, ast.Lt | ast.LtE) and holds_duration(left)) or (
                    isinstance(op, ast.Gt | ast.GtE) and holds_duration(right)
                )
                if upper:
                    lines.append(node.lineno)
    return sorted(set(lines))


def test_the_check_finds_a_wall_clock_bound_and_allows_deadlines_and_lower_bounds() -> None:
    bounded = [
        "started = time.perf_counter()\nwork()\nassert time.perf_counter() - started < 1.0\n",
        "t0 = time.monotonic()\nwork()\nelapsed = time.monotonic() - t0\nassert elapsed < 1.0, elapsed\n",
        "t0 = time.time()\nwork()\ntook = time.time() - t0\nms = took * 1000\nassert 200 > ms\n",
        "from time import perf_counter\na = perf_counter()\nb = perf_counter()\nassert b - a <= 0.2\n",
    ]
    allowed = [
        "deadline = time.monotonic() + 5\nwhile not done():\n    assert time.monotonic() < deadline, 'x'\n",
        "started = time.monotonic()\nwait()\nassert time.monotonic() - started >= 2.0  # it waited\n",
        "started = time.perf_counter()\nwork()\nprint(time.perf_counter() - started)\nassert done()\n",
        "assert len(items) < 10\n",
    ]
    finds_exactly(wall_clock_bounds, bounded, allowed)


SLEEPS = {"sleep", "pause"}


def _fixed_sleep(statement: ast.stmt) -> bool:
    """``time.sleep(0.5)``, ``await asyncio.sleep(0.5)``, ``await pilot.pause(0.5)``, or a ``with``
    block that ends in one: a wait of a set time."""
    if isinstance(statement, ast.With | ast.AsyncWith):
        return _fixed_sleep(statement.body[-1])
    if not isinstance(statement, ast.Expr):
        return False
    call = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
    if not isinstance(call, ast.Call) or len(call.args) != 1 or call.keywords:
        return False
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    wait = call.args[0]
    return name in SLEEPS and isinstance(wait, ast.Constant) and isinstance(wait.value, int | float) and wait.value > 0


def _orders(statement: ast.stmt) -> bool:
    """An assert that compares by order (``>``, ``>=``, ``<``, ``<=``)."""
    return isinstance(statement, ast.Assert) and any(
        isinstance(op, ast.Gt | ast.GtE | ast.Lt | ast.LtE)
        for compare in ast.walk(statement.test)
        if isinstance(compare, ast.Compare)
        for op in compare.ops
    )


def progress_after_a_fixed_sleep(source: str) -> list[int]:
    """The line numbers of the asserts in ``source`` that compare by order right after a fixed sleep."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                lines += [
                    after.lineno
                    for before, after in itertools.pairwise(block)
                    if _fixed_sleep(before) and _orders(after)
                ]
    return sorted(lines)


def test_the_check_finds_progress_asserted_after_a_fixed_sleep() -> None:
    claims = [
        "first = step()\nawait pilot.pause(0.5)\nassert step() > first\n",
        "with running(channel):\n    channel.toggle_run()\n    time.sleep(1.2)\nassert len(published) >= 4\n",
        "def f():\n    time.sleep(1)\n    assert 3 < count()\n",
    ]
    allowed = [
        "stopped = step()\nawait pilot.pause(0.3)\nassert step() == stopped\n",  # nothing happened meanwhile
        "await pilot.pause()\nassert step() > first\n",  # waits for the app's own messages, not a time
        "await asyncio.sleep(0)\nassert step() > first\n",
        "await wait_until(lambda: step() > first)\nassert step() > first\n",
    ]
    finds_exactly(progress_after_a_fixed_sleep, claims, allowed)


def test_no_test_asserts_progress_after_a_fixed_sleep() -> None:
    found = in_the_suite(progress_after_a_fixed_sleep)
    assert not found, f"progress asserted after a fixed sleep (wait until it happened instead): {found}"


def test_no_test_bounds_wall_clock_time() -> None:
    found = in_the_suite(wall_clock_bounds)
    assert not found, (
        f"wall-clock bounds in tests (wait for the condition instead, or measure it in benchmarks/): {found}"
    )


def finds_exactly(check: Callable[[str], list[int]], flagged: list[str], allowed: list[str]) -> None:
    for source in flagged:
        assert check(source) != [], source
    for source in allowed:
        assert check(source) == [], source


def in_the_suite(check: Callable[[str], list[int]]) -> str:
    """Where ``check`` finds something in the suite's files (path:line, comma-separated; "" if nowhere)."""
    return ", ".join(
        sorted(
            f"{path.relative_to(TESTS.parent)}:{line}"
            for path in sorted(TESTS.rglob("*.py"))
            for line in check(path.read_text(encoding="utf-8"))
        )
    )

"""What a browser may send to ``nnplay serve`` (tui/serve/messages.py): the page's five messages pass,
sizes clamped; anything else is a Violation; input is metered in keys."""

from __future__ import annotations

import pytest

from nnplay.tui.serve.messages import KEY_BURST, KEYS_PER_SECOND, KeyBudget, Violation, count_keys, parse, query_size
from tests.serve.hostile_clients import ACCEPTED, QUERIES, REFUSED


@pytest.mark.parametrize("frame", REFUSED, ids=lambda f: f[:40])
def test_a_message_the_page_never_sends_is_a_violation(frame: str) -> None:
    with pytest.raises(Violation) as refused:
        parse(frame)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 120  # one short log line


@pytest.mark.parametrize(("frame", "message"), ACCEPTED, ids=lambda f: str(f)[:40])
def test_the_pages_messages_pass_with_sizes_clamped(frame: str, message: object) -> None:
    assert parse(frame) == message


@pytest.mark.parametrize(("query", "size"), QUERIES, ids=str)
def test_the_websocket_query_size_is_clamped_or_refused(query: dict[str, str], size: tuple[int, int] | None) -> None:
    if size is None:
        with pytest.raises(Violation):
            query_size(query)
    else:
        assert query_size(query) == size


def test_keys_are_counted_as_textual_makes_events() -> None:
    assert count_keys("abc") == 3
    assert count_keys("\x1b[A\x1b[B") == 2  # two arrow keys
    assert count_keys("\x1b[<0;10;5M\x1b[<0;10;5m") == 2  # a click: press and release
    assert count_keys("\x1bOP") == 1  # F1
    assert count_keys("\x1bx") == 1  # alt+x
    assert count_keys("\x1b") == 1  # escape
    assert count_keys("\x1b[200~path/to/file.csv\x1b[201~") == 2 + len("path/to/file.csv")  # a paste


def test_the_key_budget_takes_a_burst_then_a_rate_and_refuses_without_spending() -> None:
    budget = KeyBudget()
    assert budget.take(int(KEY_BURST), now=0.0)
    assert not budget.take(1, now=0.0)  # the burst is spent
    assert not budget.take(int(KEYS_PER_SECOND) + 1, now=1.0)  # a second refills the rate, no more
    assert budget.take(int(KEYS_PER_SECOND), now=1.0)  # the refused frame spent nothing
    assert budget.take(int(KEY_BURST), now=1000.0)  # refilled to the burst, not beyond
    assert not budget.take(1, now=1000.0)
    # Key repeat, or a moving mouse, stays within it for good.
    budget = KeyBudget()
    assert all(budget.take(1, now=i / 60) for i in range(60 * 60))

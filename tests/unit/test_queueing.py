"""The pure queue-order functions, checked against each other and by hand."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.queue.queueing import Waiting, call_order, place_of_newest, requeue_key


@given(
    priority_ahead=st.integers(0, 12),
    normal_ahead=st.integers(0, 12),
    priority=st.booleans(),
    run=st.integers(0, 3),
    max_run=st.integers(1, 3),
)
def test_place_of_the_newest_ticket_matches_the_full_call_order(
    priority_ahead: int, normal_ahead: int, priority: bool, run: int, max_run: int
) -> None:
    tickets = [Waiting(id=n, priority=True, key=n) for n in range(priority_ahead)]
    tickets += [Waiting(id=100 + n, priority=False, key=n) for n in range(normal_ahead)]
    newest = Waiting(id=999, priority=priority, key=1000)
    order = call_order([*tickets, newest], run=run, max_run=max_run)
    assert place_of_newest(
        priority_ahead=priority_ahead,
        normal_ahead=normal_ahead,
        priority=priority,
        run=run,
        max_run=max_run,
    ) == order.index(999)


def test_a_green_ticket_waits_behind_at_most_the_run_of_priority() -> None:
    # 3 green and 2 normal already waiting, run limit 2: P P N P N … the new normal is 6th
    assert place_of_newest(priority_ahead=3, normal_ahead=2, priority=False, run=0, max_run=2) == 5
    # a new green ticket behind 3 green and 2 normal: P P N P (new) → 4 ahead of it
    assert place_of_newest(priority_ahead=3, normal_ahead=2, priority=True, run=0, max_run=2) == 4


@given(st.lists(st.integers(0, 5), min_size=1, max_size=80), st.integers(0, 4))
def test_requeue_keys_stay_between_their_neighbours(
    offsets: list[int], requeue_offset: int
) -> None:
    keys = [float(n) for n in range(1, 6)]
    last_seq = 5
    for _ in offsets:
        key = requeue_key(keys, offset=requeue_offset, last_seq=last_seq)
        if key in keys or key >= last_seq + 1:
            break  # precision used up: models.queue.serving renumbers (tested there)
        keys = sorted([*keys, key])
        assert len(set(keys)) == len(keys)
        assert keys[-1] < last_seq + 1

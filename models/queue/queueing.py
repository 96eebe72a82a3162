"""The queue order rules, as plain functions the operations and the tests share.

Which waiting ticket a window gets next:
1. tickets transferred to this very window, oldest position first;
2. then the window's queues in their configured order; the first queue with a ticket wins;
3. within a queue, priority tickets (green channel, on-time appointments) before normal ones,
   but at most ``priority_run`` priority tickets in a row while a normal ticket waits;
4. then by position (``order_key``): the issue sequence, or where a requeue or transfer put it.
A requeued no-show goes back behind ``requeue_offset`` waiting tickets of its queue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def pick_priority(*, has_priority: bool, has_normal: bool, run: int, max_run: int) -> bool | None:
    """True to call a priority ticket next, False a normal one, None when nothing waits."""
    if has_priority and (not has_normal or run < max_run):
        return True
    if has_normal:
        return False
    return None


def next_run(*, picked_priority: bool, normal_waited: bool, run: int) -> int:
    """The priority run after a call; only priority calls made while a normal one waited count."""
    if picked_priority and normal_waited:
        return run + 1
    return 0


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the order rules see it."""

    id: int
    priority: bool
    key: float


def call_order(tickets: Sequence[Waiting], *, run: int, max_run: int) -> list[int]:
    """The ids of a queue's waiting tickets in the order they will be called."""
    prio = sorted((t for t in tickets if t.priority), key=lambda t: (t.key, t.id))
    norm = sorted((t for t in tickets if not t.priority), key=lambda t: (t.key, t.id))
    order: list[int] = []
    p = n = 0
    while p < len(prio) or n < len(norm):
        take_prio = pick_priority(
            has_priority=p < len(prio), has_normal=n < len(norm), run=run, max_run=max_run
        )
        run = next_run(picked_priority=bool(take_prio), normal_waited=n < len(norm), run=run)
        if take_prio:
            order.append(prio[p].id)
            p += 1
        else:
            order.append(norm[n].id)
            n += 1
    return order


def place_of_newest(
    *, priority_ahead: int, normal_ahead: int, priority: bool, run: int, max_run: int
) -> int:
    """People ahead of a ticket that is the newest of its class, from the counts alone.

    ``priority_ahead`` and ``normal_ahead`` count the other waiting tickets of the queue.
    """
    prio, norm, ahead = priority_ahead, normal_ahead, 0
    while True:
        has_prio, has_norm = prio > 0 or priority, norm > 0 or not priority
        take_prio = pick_priority(
            has_priority=has_prio, has_normal=has_norm, run=run, max_run=max_run
        )
        if (take_prio and prio == 0) or (not take_prio and norm == 0):
            return ahead  # the next of this class is the ticket itself
        run = next_run(picked_priority=bool(take_prio), normal_waited=has_norm, run=run)
        if take_prio:
            prio -= 1
        else:
            norm -= 1
        ahead += 1


def requeue_key(keys: Sequence[float], *, offset: int, last_seq: int) -> float:
    """The position for a requeued ticket: behind ``offset`` of the waiting ``keys`` (sorted).

    Keys never tie: issued tickets have their sequence, a requeue goes strictly between two
    neighbours, and the back of the line lies strictly between the last key and the next
    number to be issued (every waiting key is below ``last_seq + 1``).
    """
    if keys and offset <= 0:
        return keys[0] - 1
    if offset < len(keys):
        return (keys[offset - 1] + keys[offset]) / 2
    last = max(keys[-1], last_seq) if keys else last_seq
    return (last + last_seq + 1) / 2


def front_key(keys: Sequence[float]) -> float:
    """A position ahead of every waiting ticket (transfers keep the citizen's place)."""
    return (min(keys) - 1) if keys else 0.0


def estimate_minutes(*, ahead: int, open_windows: int, mean_service_minutes: float) -> int:
    """Estimated wait: tickets ahead ÷ open windows × mean service time, rounded up."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead / max(open_windows, 1) * mean_service_minutes)

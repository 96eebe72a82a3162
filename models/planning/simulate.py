"""One simulated hall day, replicated: the product's own queue rules on an event clock.

Which ticket a free window calls, how a priority run ends, where a returning no-show and a
transferred citizen go: all decided by models.queue.queueing (``pick_priority``, ``next_run``,
``requeue_key``, ``front_key``), the functions the counters' calls use. Windows serve their
queues in the hall file's order; an idle open window calls as soon as a ticket it may serve
waits; a window that closes finishes its citizen first; at the day's end the windows of the
last period call until nobody waits.

Times are seconds from the first period's start. Waits are counted for citizens (a transfer's
second wait is not a new citizen): from taking the ticket to the first call.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from models.queue.queueing import front_key, next_run, pick_priority, requeue_key


@dataclass(frozen=True)
class QueueModel:
    """What the simulation needs to know of one queue."""

    prefix: str
    rates: tuple[float, ...]
    """Expected tickets taken in each period."""
    items: tuple[str, ...]
    """Item codes, drawn with ``item_weights`` (an item "" stands for tickets without one)."""
    item_weights: tuple[float, ...]
    priority_share: float = 0.0
    no_show: float = 0.0
    """Share of calls nobody answers."""
    returns: float = 0.0
    """Share of no-shows who come back and are put back in line (requeue)."""
    transfer: float = 0.0
    """Share of services that end in a transfer to another queue."""
    transfer_to: tuple[tuple[str, float], ...] = ()
    """Queues transfers go to, with weights."""


@dataclass(frozen=True)
class DayModel:
    """A day to simulate: queues, windows, service times, the rules and the staffing."""

    queues: tuple[QueueModel, ...]
    windows: tuple[tuple[int, tuple[str, ...]], ...]
    """Each window and the queues it serves, in order."""
    services: dict[str, tuple[float, ...]]
    """Service seconds (sorted samples) per item code; "" and "@Q" (queue Q's pool) as fallbacks."""
    period_s: int
    periods: int
    staffing: tuple[frozenset[int], ...]
    """The windows open in each period."""
    priority_run: int = 2
    requeue_offset: int = 3
    max_misses: int = 2
    walk_s: float = 30.0
    """From the call to the citizen at the window."""
    no_show_s: float = 90.0
    """What a call nobody answers costs the window (recalls, then no-show)."""
    return_s: float = 600.0
    """How long after a no-show a citizen who comes back is put back in line."""
    closed_from: dict[int, float] = field(default_factory=dict)
    """Windows closed from a time (seconds) on, whatever the staffing says."""
    arrival_factor: float = 1.0
    extra_s: dict[str, float] = field(default_factory=dict)
    """Seconds added to every service of an item."""
    target_s: float = 900.0
    day_sd: float = 0.0
    """How much whole days vary beyond chance (the log of their volume's spread): each
    replication's arrivals are scaled by one lognormal draw with this spread, mean 1."""


@dataclass
class Replication:
    """One simulated day's raw figures, per queue and period of issue."""

    waits: list[list[list[float]]]
    """waits[q][p]: each citizen's wait in seconds."""
    longest: list[list[int]]
    """longest[q][p]: the most tickets waiting at once."""
    idle_s: list[float]
    """idle_s[p]: window-seconds open and idle."""
    open_s: list[float]
    """open_s[p]: window-seconds open."""


_ARRIVE, _RETURN, _FREE, _OPEN = 0, 1, 2, 3


def _draw(samples: Sequence[float], rng: random.Random) -> float:
    return samples[int(rng.random() * len(samples))]


@dataclass(frozen=True)
class Arrivals:
    """A replication's citizens, drawn before the day runs: they depend on the seed, the
    queues and the periods taken, not on the staffing, so the recommender's looks at one
    period draw them once. ``state`` is the generator's state after the draws."""

    issue: tuple[float, ...]
    queue: tuple[int, ...]
    priority: tuple[bool, ...]
    service: tuple[float, ...]
    order: tuple[tuple[float, int], ...]
    """(time, ticket) in time order."""
    state: object


def draw_arrivals(model: DayModel, seed: int, *, horizon: int | None = None) -> Arrivals:
    """The citizens of replication ``seed`` (Poisson counts per period, uniform within it)."""
    rng = random.Random(seed)
    rnd = rng.random
    period_s = model.period_s
    periods = model.periods if horizon is None else horizon
    services = model.services
    extra = model.extra_s
    issue: list[float] = []
    tqueue: list[int] = []
    tprio: list[bool] = []
    tservice: list[float] = []
    factor = model.arrival_factor
    if model.day_sd > 0:
        factor *= math.exp(rng.gauss(0, model.day_sd) - model.day_sd**2 / 2)
    for q, qm in enumerate(model.queues):
        cum = _cumulative(qm.item_weights)
        for p in range(periods):
            lam = qm.rates[p] * factor if p < len(qm.rates) else 0.0
            for _ in range(_poisson(lam, rng)):
                t = (p + rnd()) * period_s
                item = qm.items[bisect.bisect_right(cum, rnd() * cum[-1])] if cum else ""
                pool = services.get(item) or services.get("@" + qm.prefix) or services[""]
                issue.append(t)
                tqueue.append(q)
                tprio.append(rnd() < qm.priority_share)
                tservice.append(pool[int(rnd() * len(pool))] + extra.get(item, 0.0))
    order = sorted(zip(issue, range(len(issue)), strict=True))
    return Arrivals(
        tuple(issue), tuple(tqueue), tuple(tprio), tuple(tservice), tuple(order), rng.getstate()
    )


def simulate(
    model: DayModel, seed: int, *, horizon: int | None = None, arrivals: Arrivals | None = None
) -> Replication:
    """One replication. ``horizon``: the periods whose tickets are taken (later ones: none);
    after it the last open windows serve until nobody waits (the recommender's look).
    ``arrivals``: this seed's citizens drawn already (:func:`draw_arrivals`; those of a longer
    horizon, or of the whole day, are cut at ``horizon``)."""
    if arrivals is None:
        arrivals = draw_arrivals(model, seed, horizon=horizon)
    day = Day(model, arrivals, horizon=horizon)
    day.advance()
    return day.result()


class Day:
    """A replication under way: started at the first period, advanced to a time, copied with
    another staffing for the periods still to come, and run on to the end. The recommender
    keeps each replication's state at a period's start and resumes from it for every window
    count it tries there, instead of simulating the morning again."""

    def __init__(self, model: DayModel, arrivals: Arrivals, *, horizon: int | None = None) -> None:
        self._setup(model, horizon)
        self.rng = random.Random()
        self.rng.setstate(arrivals.state)  # type: ignore[arg-type]
        self.order = arrivals.order
        self.next_arrival = 0
        self.issue = list(arrivals.issue)
        self.tqueue = list(arrivals.queue)
        self.tprio = list(arrivals.priority)
        self.tservice = list(arrivals.service)
        self.troot = list(range(len(self.issue)))
        self.misses = [0] * len(self.issue)
        self.events: list[tuple[float, int, int, int]] = [
            (p * model.period_s, _OPEN, p, 0) for p in range(1, model.periods)
        ]
        nq, nw = len(model.queues), len(model.windows)
        self.prio: list[list[tuple[float, int]]] = [[] for _ in range(nq)]
        self.norm: list[list[tuple[float, int]]] = [[] for _ in range(nq)]
        self.waiting = [0] * nq
        self.run = [0] * nq
        self.last_seq = [0] * nq
        self.first_call: dict[int, float] = {}
        self.busy = [False] * nw
        self.busy_s = [0.0] * (model.periods + 1)
        self.longest = [[0] * model.periods for _ in range(nq)]

    def _setup(self, model: DayModel, horizon: int | None) -> None:
        """What follows from the model and the horizon (nothing that changes as the day runs)."""
        self.model = model
        self.horizon_s = math.inf if horizon is None else horizon * model.period_s
        self.qindex = {q.prefix: n for n, q in enumerate(model.queues)}
        self.served_by = [
            [self.qindex[p] for p in qs if p in self.qindex] for _, qs in model.windows
        ]
        numbers = [number for number, _ in model.windows]
        nw = len(numbers)
        self.staffing = [
            [n for n in range(nw) if numbers[n] in model.staffing[p]] for p in range(model.periods)
        ]
        self.staffing_sets = [set(s) for s in self.staffing]
        self.closed_at = [model.closed_from.get(numbers[n], math.inf) for n in range(nw)]
        served_by = self.served_by
        # Idle windows that can serve a queue, in the order they would get its ticket.
        self.candidates = [
            sorted(
                (n for n in range(nw) if q in served_by[n]),
                key=lambda n, q=q: (served_by[n].index(q), numbers[n]),  # type: ignore[misc]
            )
            for q in range(len(model.queues))
        ]

    def resumed(self, model: DayModel, *, horizon: int | None = None) -> Day:
        """A copy of this day so far, to run on with ``model``'s staffing (the same day: queues,
        windows, services and periods; the staffing of the time already run must not differ)
        and tickets taken up to ``horizon``."""
        day = Day.__new__(Day)
        day._setup(model, horizon)
        day.rng = random.Random()
        day.rng.setstate(self.rng.getstate())
        day.order = self.order
        day.next_arrival = self.next_arrival
        day.issue = self.issue[:]
        day.tqueue = self.tqueue[:]
        day.tprio = self.tprio[:]
        day.tservice = self.tservice[:]
        day.troot = self.troot[:]
        day.misses = self.misses[:]
        day.events = self.events[:]
        day.prio = [h[:] for h in self.prio]
        day.norm = [h[:] for h in self.norm]
        day.waiting = self.waiting[:]
        day.run = self.run[:]
        day.last_seq = self.last_seq[:]
        day.first_call = dict(self.first_call)
        day.busy = self.busy[:]
        day.busy_s = self.busy_s[:]
        day.longest = [row[:] for row in self.longest]
        return day

    def advance(self, until: float = math.inf) -> None:
        """Run the events before ``until`` (seconds from the first period's start)."""
        model = self.model
        rng = self.rng
        rnd = rng.random
        period_s = model.period_s
        qindex, served_by, candidates = self.qindex, self.served_by, self.candidates
        staffing, staffing_sets, closed_at = self.staffing, self.staffing_sets, self.closed_at
        services = model.services
        issue, tqueue, tprio, tservice = self.issue, self.tqueue, self.tprio, self.tservice
        troot, misses, events = self.troot, self.misses, self.events
        prio, norm, waiting, run = self.prio, self.norm, self.waiting, self.run
        last_seq, first_call, busy = self.last_seq, self.first_call, self.busy
        busy_s, longest = self.busy_s, self.longest
        order, horizon_s = self.order, self.horizon_s
        n_order = len(order)
        last_period = model.periods - 1
        end_s = model.periods * period_s

        def is_open(w: int, t: float) -> bool:
            if t >= closed_at[w]:
                return False
            if t >= end_s:  # after hours the last period's windows serve until nobody waits
                return w in staffing_sets[last_period]
            p = int(t // period_s)
            return w in staffing_sets[p if p < last_period else last_period]

        def add_busy(start: float, stop: float) -> None:
            while start < stop and start < end_s:
                p = int(start // period_s)
                edge = min(stop, (p + 1) * period_s)
                busy_s[p] += edge - start
                start = edge

        def enqueue(tid: int, key: float, t: float) -> None:
            q = tqueue[tid]
            heapq.heappush(prio[q] if tprio[tid] else norm[q], (key, tid))
            waiting[q] += 1
            p = int(t // period_s)
            row = longest[q]
            if p > last_period:
                p = last_period
            if waiting[q] > row[p]:
                row[p] = waiting[q]

        def keys_of(q: int) -> list[float]:
            return sorted([k for k, _ in prio[q]] + [k for k, _ in norm[q]])

        def call(w: int, t: float) -> None:
            """The window calls its next ticket (queueing's rules), or stays idle."""
            for q in served_by[w]:
                hp, hn = prio[q], norm[q]
                if not hp and not hn:
                    continue
                take = pick_priority(
                    has_priority=bool(hp), has_normal=bool(hn), run=run[q],
                    max_run=model.priority_run,
                )  # fmt: skip
                run[q] = next_run(picked_priority=bool(take), normal_waited=bool(hn), run=run[q])
                _, tid = heapq.heappop(hp if take else hn)
                waiting[q] -= 1
                root = troot[tid]
                if root not in first_call:
                    first_call[root] = t
                qm = model.queues[q]
                if rnd() < qm.no_show:
                    misses[tid] += 1
                    done = t + model.no_show_s
                    if misses[tid] < model.max_misses and rnd() < qm.returns:
                        heapq.heappush(events, (done + model.return_s, _RETURN, tid, 0))
                else:
                    done = t + model.walk_s + tservice[tid]
                    if qm.transfer_to and rnd() < qm.transfer:
                        heapq.heappush(events, (done, _RETURN, _transfer(tid, q, qm), 1))
                busy[w] = True
                add_busy(t, done)
                heapq.heappush(events, (done, _FREE, w, 0))
                return
            busy[w] = False

        def _transfer(tid: int, q: int, qm: QueueModel) -> int:
            cum = _cumulative([wt for _, wt in qm.transfer_to])
            to = qm.transfer_to[bisect.bisect_right(cum, rnd() * cum[-1])][0]
            child = len(issue)
            issue.append(issue[tid])
            tqueue.append(qindex.get(to, q))
            tprio.append(tprio[tid])
            pool = services.get("@" + to) or services[""]
            tservice.append(_draw(pool, rng))
            troot.append(troot[tid])
            misses.append(0)
            return child

        def wake(q: int, t: float) -> None:
            if t < end_s:
                p = int(t // period_s)
                open_now = staffing_sets[p if p < last_period else last_period]
            else:  # after hours the last period's windows serve until nobody waits
                open_now = staffing_sets[last_period]
            for w in candidates[q]:
                if not busy[w] and w in open_now and t < closed_at[w]:
                    call(w, t)
                    return

        # The tickets are taken in time order (kept apart from the other events, which come
        # after a ticket taken at the same moment, as they would in one heap).
        arrival = order[self.next_arrival] if self.next_arrival < n_order else None
        if arrival is not None and arrival[0] >= horizon_s:
            arrival = None
        while True:
            if arrival is not None and (not events or arrival[0] <= events[0][0]):
                t, a = arrival
                if t >= until:
                    break
                self.next_arrival += 1
                arrival = order[self.next_arrival] if self.next_arrival < n_order else None
                if arrival is not None and arrival[0] >= horizon_s:
                    arrival = None
                q = tqueue[a]
                last_seq[q] += 1
                enqueue(a, float(last_seq[q]), t)
                wake(q, t)
                continue
            if not events or events[0][0] >= until:
                break
            t, kind, a, b = heapq.heappop(events)
            if kind == _FREE:
                busy[a] = False
                if is_open(a, t):
                    call(a, t)
            elif kind == _RETURN:
                q = tqueue[a]
                if b:  # a transfer: to the front of the new queue
                    heads = [h[0][0] for h in (prio[q], norm[q]) if h]
                    enqueue(a, front_key(heads), t)
                else:  # a no-show come back: behind the hall's requeue offset
                    enqueue(a, requeue_key(keys_of(q), offset=model.requeue_offset,
                                           last_seq=last_seq[q]), t)  # fmt: skip
                wake(q, t)
            else:  # a period starts: the windows it opens call
                for w in staffing[a]:
                    if not busy[w] and is_open(w, t):
                        call(w, t)

    def waits_in(self, period: int) -> list[list[float]]:
        """The waits of the citizens who took their ticket in ``period``, per queue (once the
        day has run to its end; the last period's with those after it)."""
        model = self.model
        period_s = model.period_s
        end_s = model.periods * period_s
        order = self.order
        low = bisect.bisect_left(order, (period * period_s, -1))
        high = (
            len(order)
            if period >= model.periods - 1
            else bisect.bisect_left(order, ((period + 1) * period_s, -1))
        )
        out: list[list[float]] = [[] for _ in model.queues]
        first_call, tqueue, horizon_s = self.first_call, self.tqueue, self.horizon_s
        for t, tid in order[low:high]:
            if t >= horizon_s:
                break
            called = first_call.get(tid)
            out[tqueue[tid]].append((called if called is not None else max(end_s, t)) - t)
        return out

    def result(self) -> Replication:
        """The day's figures (once it has run to its end)."""
        model = self.model
        period_s, last_period = model.period_s, model.periods - 1
        end_s = model.periods * period_s
        waits: list[list[list[float]]] = [[[] for _ in range(model.periods)] for _ in model.queues]
        first_call, troot, tqueue = self.first_call, self.troot, self.tqueue
        for tid, t in enumerate(self.issue):
            if troot[tid] != tid or t >= self.horizon_s:
                continue
            called = first_call.get(tid)
            wait = (called if called is not None else max(end_s, t)) - t
            p = int(t // period_s)
            waits[tqueue[tid]][p if p < last_period else last_period].append(wait)
        open_s = _open_seconds(model, self.staffing, self.closed_at)
        idle = [max(0.0, open_s[p] - self.busy_s[p]) for p in range(model.periods)]
        return Replication(waits=waits, longest=self.longest, idle_s=idle, open_s=open_s)


def _open_seconds(
    model: DayModel, staffing: list[list[int]], closed_at: list[float]
) -> list[float]:
    out = []
    for p, windows in enumerate(staffing):
        start, stop = p * model.period_s, (p + 1) * model.period_s
        out.append(sum(max(0.0, min(stop, closed_at[w]) - start) for w in windows))
    return out


def _cumulative(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for weight in weights:
        total += weight
        out.append(total)
    return out if total > 0 else []


def _poisson(lam: float, rng: random.Random) -> int:
    """A Poisson count (Knuth's product for small means, a rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 60:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k

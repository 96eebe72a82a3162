"""Replications summed up, and the recommendation: the fewest windows that meet the target.

A period meets the target when, for every queue with citizens in it, the share of them called
within the target wait (mean over the replications) is at least the target share.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace

from models.planning.simulate import (
    Arrivals,
    Day,
    DayModel,
    Replication,
    draw_arrivals,
    simulate,
)


@dataclass(frozen=True)
class Figures:
    """Mean over the replications for one queue (or all) in one period (or the day)."""

    citizens: float
    wait_mean_s: float
    wait_p90_s: float
    within: float
    """Share of citizens called within the target wait (0–1)."""
    longest: float
    """The most tickets waiting at once (mean over replications of each day's most)."""
    idle: float
    """Windows open and idle, on average over the period (the hall's; 0 per queue)."""
    windows: int
    """Windows open (at the period's start) that serve this queue (all windows for the hall)."""


@dataclass(frozen=True)
class Outcome:
    """A staffing simulated: per queue and period, per period (all queues), per queue (day)."""

    model: DayModel
    replications: int
    by_queue: dict[str, list[Figures]]
    by_period: list[Figures]
    day_by_queue: dict[str, Figures]
    day: Figures

    def window_hours(self) -> float:
        """Window-hours the staffing costs (closures included)."""
        return sum(_open_seconds(self.model)) / 3600


def _p90(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]


def _open_seconds(model: DayModel) -> list[float]:
    out = []
    for p, windows in enumerate(model.staffing):
        start, stop = p * model.period_s, (p + 1) * model.period_s
        out.append(
            sum(max(0.0, min(stop, model.closed_from.get(w, math.inf)) - start) for w in windows)
        )
    return out


def _figures(
    reps: list[Replication], pick: Callable[[Replication], list[float]], target_s: float,
    longest: float, idle: float, windows: int,
) -> Figures:  # fmt: skip
    """Figures from each replication's waits: means of the per-replication figures (a day
    with nobody counts for nothing)."""
    means, p90s, shares, counts = [], [], [], []
    for rep in reps:
        waits = pick(rep)
        counts.append(len(waits))
        if waits:
            means.append(statistics.fmean(waits))
            p90s.append(_p90(waits))
            shares.append(sum(1 for w in waits if w <= target_s) / len(waits))
    return Figures(
        citizens=statistics.fmean(counts) if counts else 0.0,
        wait_mean_s=statistics.fmean(means) if means else 0.0,
        wait_p90_s=statistics.fmean(p90s) if p90s else 0.0,
        within=statistics.fmean(shares) if shares else 1.0,
        longest=longest,
        idle=idle,
        windows=windows,
    )


def serving(model: DayModel, prefix: str, period: int) -> int:
    """Windows open at a period's start that serve a queue."""
    start = period * model.period_s
    return sum(
        1
        for number, queues in model.windows
        if prefix in queues
        and number in model.staffing[period]
        and model.closed_from.get(number, math.inf) > start
    )


def open_windows(model: DayModel, period: int) -> int:
    """Windows open at a period's start."""
    start = period * model.period_s
    return sum(1 for w in model.staffing[period] if model.closed_from.get(w, math.inf) > start)


Pick = Callable[[Replication], list[float]]


def _cell(q: int, p: int) -> Pick:
    return lambda r: r.waits[q][p]


def _period(p: int) -> Pick:
    return lambda r: [w for queue in r.waits for w in queue[p]]


def _queue(q: int) -> Pick:
    return lambda r: [w for period in r.waits[q] for w in period]


def _all(r: Replication) -> list[float]:
    return [w for q in r.waits for p in q for w in p]


def summarise(model: DayModel, reps: list[Replication]) -> Outcome:
    """Per queue and period, per period, per queue and for the day."""
    target = model.target_s
    n = len(reps)
    by_queue: dict[str, list[Figures]] = {}
    for q, qm in enumerate(model.queues):
        by_queue[qm.prefix] = [
            _figures(
                reps,
                _cell(q, p),
                target,
                sum(r.longest[q][p] for r in reps) / n,
                0.0,
                serving(model, qm.prefix, p),
            )
            for p in range(model.periods)
        ]
    nq = len(model.queues)
    by_period = [
        _figures(
            reps,
            _period(p),
            target,
            sum(max(r.longest[q][p] for q in range(nq)) for r in reps) / n,
            sum(r.idle_s[p] for r in reps) / n / model.period_s,
            open_windows(model, p),
        )
        for p in range(model.periods)
    ]
    day_by_queue = {
        qm.prefix: _figures(
            reps,
            _queue(q),
            target,
            sum(max(r.longest[q]) for r in reps) / n,
            0.0,
            max(f.windows for f in by_queue[qm.prefix]),
        )
        for q, qm in enumerate(model.queues)
    }
    day = _figures(
        reps,
        _all,
        target,
        max((f.longest for f in by_period), default=0.0),
        sum(sum(r.idle_s) for r in reps) / n / model.period_s / max(model.periods, 1),
        max((f.windows for f in by_period), default=0),
    )
    return Outcome(model, n, by_queue, by_period, day_by_queue, day)


def run(
    model: DayModel, *, replications: int, seed: int, horizon: int | None = None,
    drawn: dict[tuple[int, int | None], Arrivals] | None = None,
) -> Outcome:  # fmt: skip
    """``replications`` simulated days, replication k seeded with ``seed`` + k (common random
    numbers: two staffings compared on the same seed see the same citizens). ``drawn`` keeps
    each seed's citizens for the next run of the same day under another staffing."""
    return summarise(model, _replicate(model, replications, seed, horizon, drawn))


def _replicate(
    model: DayModel, replications: int, seed: int, horizon: int | None,
    drawn: dict[tuple[int, int | None], Arrivals] | None,
) -> list[Replication]:  # fmt: skip
    if drawn is None:
        return [simulate(model, seed + k, horizon=horizon) for k in range(replications)]
    return [
        simulate(model, seed + k, horizon=horizon, arrivals=_drawn(model, seed + k, drawn, horizon))
        for k in range(replications)
    ]


def _drawn(
    model: DayModel, seed: int, drawn: dict[tuple[int, int | None], Arrivals],
    horizon: int | None = None,
) -> Arrivals:  # fmt: skip
    """Seed ``seed``'s citizens up to ``horizon``, drawn once."""
    arrivals = drawn.get((seed, horizon))
    if arrivals is None:
        arrivals = drawn[seed, horizon] = draw_arrivals(model, seed, horizon=horizon)
    return arrivals


def failing(outcome: Outcome, period: int, share: float) -> list[tuple[float, str]]:
    """(shortfall, queue) for each queue missing the target in a period, worst first."""
    out = []
    for prefix, figures in outcome.by_queue.items():
        f = figures[period]
        if f.citizens > 0 and f.within < share:
            out.append((share - f.within, prefix))
    return sorted(out, reverse=True)


def _failing_waits(
    model: DayModel, waits: list[list[list[float]]], share: float
) -> list[tuple[float, str]]:
    """:func:`failing` for one period from each replication's waits in it per queue (what the
    recommender's looks need, without summing up every queue, period and the day)."""
    out = []
    for q, qm in enumerate(model.queues):
        shares = []
        for rep in waits:
            cell = rep[q]
            if cell:
                shares.append(sum(1 for w in cell if w <= model.target_s) / len(cell))
        if shares:
            within = statistics.fmean(shares)
            if within < share:
                out.append((share - within, qm.prefix))
    return sorted(out, reverse=True)


def meets(outcome: Outcome, share: float) -> bool:
    """Every queue in every period meets the target."""
    return all(not failing(outcome, p, share) for p in range(outcome.model.periods))


@dataclass(frozen=True)
class Recommendation:
    """The fewest windows per period found to meet the target, and whether every period does."""

    staffing: tuple[frozenset[int], ...]
    outcome: Outcome
    met: bool
    short: tuple[tuple[int, str], ...]
    """(period, queue) that miss the target even with every window that can serve it open."""


def recommend(
    model: DayModel, *, share: float, replications: int, seed: int, search: int = 20,
    drawn: dict[tuple[int, int | None], Arrivals] | None = None,
) -> Recommendation:  # fmt: skip
    """Period by period, from the first: start from the windows the period before kept, add a
    window for the queue furthest from the target until every queue meets it, then take away
    windows while it still does (each look simulates the day to the period's end, the windows
    then serving until nobody waits). Then the whole day is checked and a queue that misses gets
    one more window (in its period, or where its citizens wait on into), until all meet or no
    window can help. A queue no window can help in a period is left short there, and the others
    still get theirs. The looks use ``search`` replications, the whole-day checks
    ``replications``. Each look resumes its replications from the period's start (kept once the
    periods before are settled) instead of simulating the morning again; the citizens are the
    whole day's, a look's cut after its period."""
    numbers = [n for n, _ in model.windows]
    queues_of = dict(model.windows)
    staffing = [frozenset[int]() for _ in range(model.periods)]
    closed = model.closed_from
    stuck: dict[int, set[str]] = {p: set() for p in range(model.periods)}
    """Queues no more windows can help, per period."""

    def usable(p: int) -> list[int]:
        start = p * model.period_s
        return [n for n in numbers if closed.get(n, math.inf) > start]

    citizens: dict[tuple[int, int | None], Arrivals] = {} if drawn is None else drawn
    """Each seed's citizens: the same whatever the windows (a run of the same day may have drawn
    them already)."""
    looked: dict[tuple[int, frozenset[int]], list[str]] = {}
    """The queues missing the target per (period, windows) looked at (the periods before are
    settled by then): the adding and the trimming often try the same windows again."""

    looks = min(search, replications)
    starts: list[list[Day]] = []
    """starts[p][k]: replication k at period p's start, the periods before with their windows
    settled (the same citizens as the whole day's, their tickets cut at the look's period)."""

    def start_of(p: int) -> list[Day]:
        while len(starts) <= p:
            n = len(starts)
            if n == 0:
                starts.append([Day(model, _drawn(model, seed + k, citizens)) for k in range(looks)])
                continue
            settled = replace(
                model, staffing=tuple(staffing[:n] + [staffing[n - 1]] * (model.periods - n))
            )
            days = [day.resumed(settled) for day in starts[n - 1]]
            for day in days:
                day.advance(n * model.period_s)
            starts.append(days)
        return starts[p]

    def look(p: int, windows: frozenset[int]) -> list[str]:
        """The queues missing the target in period ``p`` with these windows, worst first."""
        if (p, windows) not in looked:
            trial = staffing[:p] + [windows] * (model.periods - p)
            m = replace(model, staffing=tuple(trial))
            waits = []
            for start in start_of(p):
                day = start.resumed(m, horizon=p + 1)
                day.advance()
                waits.append(day.waits_in(p))
            looked[p, windows] = [q for _, q in _failing_waits(model, waits, share)]
        return [q for q in looked[p, windows] if q not in stuck[p]]

    def missing(outcome: Outcome, p: int) -> list[str]:
        return [q for _, q in failing(outcome, p, share) if q not in stuck[p]]

    def adder(p: int, windows: frozenset[int], prefix: str) -> int | None:
        options = [n for n in usable(p) if n not in windows and prefix in queues_of[n]]
        if not options:
            return None
        return min(options, key=lambda n: (queues_of[n].index(prefix), len(queues_of[n]), n))

    for p in range(model.periods):
        arriving = any(q.rates[p] > 0 for q in model.queues if p < len(q.rates))
        kept = frozenset(n for n in staffing[p - 1] if n in usable(p)) if p else frozenset()
        windows = kept if arriving else frozenset()
        while bad := look(p, windows):
            added = None
            for prefix in bad:
                added = adder(p, windows, prefix)
                if added is not None:
                    break
                stuck[p].add(prefix)
            if added is not None:
                windows = windows | {added}
        # A window serving a queue no window can help stays: taking it would make things worse.
        keep = frozenset(n for n in windows if set(queues_of[n]) & stuck[p])
        windows = _trim(
            windows,
            queues_of,
            lambda w, p=p: not look(p, w),  # type: ignore[misc]
            keep,
        )
        staffing[p] = windows
    # The whole day: mended with the search's replications (quick), then with the full count
    # until that confirms it, so the figures shown are the full count's.
    count = min(search, replications)

    def whole(count: int) -> Outcome:
        """The day with the windows found, from its start (the replications the looks used
        resume from the last period start they kept whose periods before are unchanged)."""
        day = replace(model, staffing=tuple(staffing))
        reps = []
        for start in starts[-1][:count]:
            resumed = start.resumed(day)
            resumed.advance()
            reps.append(resumed.result())
        reps += [
            simulate(day, seed + k, arrivals=_drawn(day, seed + k, citizens))
            for k in range(len(reps), count)
        ]
        return summarise(day, reps)

    final = whole(count)
    for _ in range(2 * model.periods * len(model.queues)):
        misses = [(p, q) for p in range(model.periods) for q in missing(final, p)]
        if not misses and count < replications:
            count = replications
            final = whole(count)
            continue
        if not misses:
            break
        p, prefix = misses[0]
        # Citizens who wait on into a period with fewer windows for them (lunch, the day's
        # end) are helped there; else in their own period; else in the one before (a backlog).
        later = p + 1 < model.periods and _serving(staffing[p + 1], queues_of, prefix) < (
            _serving(staffing[p], queues_of, prefix)
        )
        added, where = None, p
        for where in ((p + 1, p) if later else (p,)) + ((p - 1,) if p else ()):
            added = adder(where, staffing[where], prefix)
            if added is not None:
                break
        if added is None:
            stuck[p].add(prefix)
            continue
        staffing[where] = staffing[where] | {added}
        del starts[where + 1 :]  # kept with the windows before: not the day's any more
        final = whole(count)
    if final.replications < replications:  # the loop ran out: show the full count's figures
        final = whole(replications)
    short = tuple(
        (p, prefix)
        for p in range(model.periods)
        for _, prefix in failing(final, p, share)
        if prefix in stuck[p]
    )
    return Recommendation(tuple(staffing), final, meets(final, share), short)


def _serving(windows: frozenset[int], queues_of: dict[int, tuple[str, ...]], prefix: str) -> int:
    return sum(1 for n in windows if prefix in queues_of[n])


def _trim(
    windows: frozenset[int],
    queues_of: dict[int, tuple[str, ...]],
    still_meets: Callable[[frozenset[int]], bool],
    keep: frozenset[int] = frozenset(),
) -> frozenset[int]:
    """Take windows away while the period still meets the target; windows serving the same
    queues in the same order are alike, so one of each kind is tried (the highest number)."""
    needed: set[tuple[str, ...]] = set()  # kinds that could not go: fewer windows won't help
    while True:
        kinds: dict[tuple[str, ...], int] = {}
        for n in sorted(windows):
            if queues_of[n] not in needed and n not in keep:
                kinds[queues_of[n]] = n
        for n in sorted(kinds.values(), key=lambda n: (-len(queues_of[n]), -n)):
            trial = windows - {n}
            if trial and still_meets(trial):
                windows = trial
                break
            needed.add(queues_of[n])
        else:
            return windows

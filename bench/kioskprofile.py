"""Where the kiosk's time and memory go, for the kiosk benchmark's missed targets.

Start: one cold start under ``python -X importtime`` (what the kiosk's imports cost, by package,
and which first-party module pulls each in), and one under cProfile (first-party functions by
cumulative time, imports included). Tap: the taps once more under cProfile on the main (UI)
thread, only while a tap is in flight (own time by layer, first-party functions per tap); the
worker threads (take_ticket, printing) are not in it, but the time they hold the GIL is, as
the gaps they leave. Slowest taps and memory use the measured runs' own records (garbage
collections seen through gc.callbacks, the collector's object count, and the entries of
Textual's StylesCache.get_inner_outer lru_cache), so they cost no extra process.
"""

from __future__ import annotations

import pstats
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

FIRST_PARTY = ("kiosk", "models", "printer")
ROOT = Path(__file__).resolve().parent.parent
"""The project: first-party code is what lives in ROOT/kiosk, ROOT/models, ROOT/printer."""
Key = tuple[str, int, str]
INNER_OUTER_MAX = 1024
"""maxsize of textual._styles_cache.StylesCache.get_inner_outer's lru_cache (Textual 8.2.8)."""


@dataclass
class Module:
    """One line of ``-X importtime``: self and cumulative µs, the modules it imported."""

    name: str
    depth: int
    self_us: int
    cumulative_us: int
    children: list[Module] = field(default_factory=list)
    parent: Module | None = None


def parse_importtime(stderr: str) -> list[Module]:
    """The import trees (roots in import order) from ``-X importtime`` output (post-order)."""
    pending: list[Module] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, cumulative, name = line.split(":", 1)[1].split("|", 2)
        indent = len(name) - len(name.lstrip(" "))
        module = Module(name.strip(), (indent - 1) // 2, int(self_us), int(cumulative))
        while pending and pending[-1].depth > module.depth:
            child = pending.pop()
            child.parent = module
            module.children.insert(0, child)
        pending.append(module)
    return pending


def _walk(module: Module) -> list[Module]:
    found = [module]
    for child in module.children:
        found += _walk(child)
    return found


def _package(name: str) -> str:
    return name.split(".", 1)[0]


def _chain(module: Module) -> str:
    """The first-party modules on the way to a module, and the one that imports it:
    kiosk.app → printer.spooler → printer.render → escpos.escpos."""
    names = []
    node = module.parent
    while node is not None:
        first_party = _package(node.name) in FIRST_PARTY and node.name not in FIRST_PARTY
        if first_party or node is module.parent:
            names.append(node.name)
        node = node.parent
    return " → ".join(reversed(names)) or "—"


def import_tables(stderr: str, floor_imports_ms: float) -> tuple[list[Table], list[str]]:
    """Packages and single modules by self time, within the kiosk's own imports."""
    roots = [m for m in parse_importtime(stderr) if _package(m.name) in FIRST_PARTY]
    modules = [m for root in roots for m in _walk(root)]
    total = sum(m.self_us for m in modules)
    by_package: dict[str, int] = {}
    entry: dict[str, Module] = {}
    for m in modules:
        package = _package(m.name)
        by_package[package] = by_package.get(package, 0) + m.self_us
        outside = m.parent is None or _package(m.parent.name) != package
        if outside and (package not in entry or m.cumulative_us > entry[package].cumulative_us):
            entry[package] = m
    packages = Table(
        title="kiosk start: imports by package (python -X importtime, one start, self time)",
        title_justify="left",
    )
    for column in ("package", "ms", "share", "first pulled in by"):
        packages.add_column(column, justify="right" if column in ("ms", "share") else "left")
    for package, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:12]:
        packages.add_row(package, f"{us / 1000:.1f}", f"{us / total:.0%}", _chain(entry[package]))
    packages.add_row("all", f"{total / 1000:.1f}", "100%", "")
    heaviest = Table(
        title="kiosk start: the heaviest single modules (self time)", title_justify="left"
    )
    for column in ("module", "ms", "imported from"):
        heaviest.add_column(column, justify="right" if column == "ms" else "left")
    for m in sorted(modules, key=lambda m: -m.self_us)[:8]:
        heaviest.add_row(m.name, f"{m.self_us / 1000:.1f}", _chain(m))
    lazy = [r.name for r in roots if r.name.startswith("kiosk.") and r.name != "kiosk.app"]
    notes = [
        f"imports under -X importtime: {total / 1000:.0f} ms for the kiosk's own import trees "
        f"({', '.join(r.name for r in roots)}); the floor's imports (textual) took "
        f"{floor_imports_ms:.0f} ms (median, without -X importtime)"
        + (f"; imported lazily at run time: {', '.join(lazy)}" if lazy else "")
    ]
    return [packages, heaviest], notes


def _ours(filename: str) -> str | None:
    """``kiosk/screens.py`` for a first-party file, None for anything else."""
    for package in FIRST_PARTY:
        folder = f"{ROOT}/{package}/"
        if filename.startswith(folder):
            return f"{package}/{filename[len(folder) :]}"
    return None


def _short(key: Key) -> str:
    filename, line, name = key
    ours = _ours(filename)
    if ours is not None:
        return f"{ours}:{line} {name}"
    return f"{Path(filename).name}:{line} {name}" if filename != "~" else name


def _first_party(key: Key) -> bool:
    return _ours(key[0]) is not None and key[2] != "<module>"


def _layer(key: Key) -> str:
    filename, _, name = key
    if filename == "~":
        if "poll" in name or "select" in name or "acquire" in name:
            return "waiting (event loop idle, workers run)"
        return "builtins (C)"
    ours = _ours(filename)
    if ours is not None:
        return ours.split("/", 1)[0] + "/"
    for marker in ("textual", "rich", "sqlalchemy", "sqlmodel", "pydantic", "qrcode", "PIL",
                   "escpos", "asyncio"):  # fmt: skip
        if f"/{marker}/" in filename:
            return marker
    return "other Python"


def function_table(path: Path, title: str, per: int, unit: str) -> Table:
    """First-party functions (module bodies aside) by cumulative time, per ``per`` operations."""
    raw: dict[Key, Any] = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    ours = sorted(((k, v) for k, v in raw.items() if _first_party(k)), key=lambda kv: -kv[1][3])
    table = Table(title=title, title_justify="left")
    for column in ("function", "calls", f"cum ms / {unit}", f"own ms / {unit}"):
        table.add_column(column, justify="left" if column == "function" else "right")
    for key, value in ours[:14]:
        table.add_row(
            _short(key),
            f"{value[1] / per:.1f}",
            f"{value[3] / per * 1000:.2f}",
            f"{value[2] / per * 1000:.2f}",
        )
    return table


def layer_table(path: Path, title: str, per: int) -> Table:
    """Own time by layer per operation."""
    raw: dict[Key, Any] = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    layers: dict[str, float] = {}
    for key, value in raw.items():
        layers[_layer(key)] = layers.get(_layer(key), 0.0) + value[2]
    total = sum(layers.values())
    table = Table(title=title, title_justify="left")
    for column in ("layer", "ms / tap", "share"):
        table.add_column(column, justify="left" if column == "layer" else "right")
    for layer, seconds in sorted(layers.items(), key=lambda kv: -kv[1]):
        table.add_row(layer, f"{seconds / per * 1000:.2f}", f"{seconds / total:.0%}")
    table.add_row("total", f"{total / per * 1000:.2f}", "100%")
    return table


def slowest_table(latencies: list[float], collected: list[list[float]], n: int = 6) -> Table:
    """The slowest taps against the median one: how much of each was garbage collection."""
    order = sorted(range(len(latencies)), key=lambda i: latencies[i])
    median = order[len(order) // 2]
    table = Table(
        title="tap: the slowest taps and the garbage collections inside them (gc.callbacks)",
        title_justify="left",
    )
    for column in ("tap", "ms", "in collections ms", "in full (gen 2) ms", "rest ms"):
        table.add_column(column, justify="left" if column == "tap" else "right")

    def add(label: str, i: int) -> None:
        total, full = collected[i]
        ms = latencies[i] * 1000
        table.add_row(label, f"{ms:.1f}", f"{total * 1000:.1f}", f"{full * 1000:.1f}",
                      f"{ms - total * 1000:.1f}")  # fmt: skip

    add(f"median (#{median + 1})", median)
    for i in reversed(order[-n:]):
        add(f"#{i + 1}", i)
    return table


def gc_summary(latencies: list[float], collected: list[list[float]]) -> str:
    """How many taps a full collection landed in, and how many of the slowest 5 % had one."""
    full_taps = [i for i, (_, full) in enumerate(collected) if full > 0]
    worst = max(1, len(latencies) // 20)
    slow = sorted(range(len(latencies)), key=lambda i: -latencies[i])[:worst]
    slow_full = [i for i in slow if collected[i][1] > 0]
    fulls = [collected[i][1] * 1000 for i in full_taps]
    typical = statistics.median(fulls) if fulls else 0.0
    return (
        f"a full (gen-2) collection ran inside {len(full_taps)} of {len(latencies)} taps "
        f"(median {typical:.0f} ms each); {len(slow_full)} of the {len(slow)} slowest taps had one"
    )


def memory_note(heap_start: dict[str, float], heap_end: dict[str, float], taps: int,
                label: str) -> str:  # fmt: skip
    """The collector's objects and Textual's get_inner_outer cache before and after the taps."""
    per_tap = (heap_end["inner_outer"] - heap_start["inner_outer"]) / taps
    full = f", full after about {INNER_OUTER_MAX / per_tap:.0f} taps" if per_tap > 0 else ""
    return (
        f"{label}: objects tracked by the collector {heap_start['objects']:,.0f} → "
        f"{heap_end['objects']:,.0f}, a full collection {heap_start['full_gc_ms']:.0f} → "
        f"{heap_end['full_gc_ms']:.0f} ms; Textual's StylesCache.get_inner_outer lru_cache "
        f"(keyed on the StylesCache, so it keeps closed screens' widgets' rendered lines) "
        f"{heap_start['inner_outer']:.0f} → {heap_end['inner_outer']:.0f} entries "
        f"({per_tap:.1f} per tap, at most {INNER_OUTER_MAX:,}{full})"
    )

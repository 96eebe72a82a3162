"""Benchmark 5: printing — the kiosk ticket and the receipt as ESC/POS bytes (printer.render).

No database: the TicketView and CaseView are built by hand, the hall settings come from the
Jinan hall file. Each document is rendered for one printer at a time, as the spooler does
(a new python-escpos Dummy per render), in native mode (the printer's GB18030 font) and in
raster mode (every line drawn as a GS v 0 image).

Printers: 80 mm TM-T88V (native QR, where the targets are judged); 58 mm with native QR (the
first python-escpos profile 384 dots wide that supports qrCode, TM-T20II on 58 mm paper when
none does); 58 mm POS-5890, which has no native QR, so its QR is an image (information only).

Floor: python-escpos's own Dummy printing a comparable minimal ticket the naive way, in the
same run: ``set(align, bold, custom_size)`` + ``text()`` for the same lines in English only,
``qr(payload, native=True)``, ``cut()``. Send time = bytes × 10 bits (8N1) / 9,600 baud.

Before timing, a self-check: native tickets must carry the GB18030 bytes of 马上办 and M023,
raster tickets GS v 0 images; otherwise the benchmark stops (SelfCheckFailed).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import escpos
from escpos import capabilities
from escpos.printer import Dummy

from bench.common import CST, NOW, Latency, Result, Row, Sizes, Verdict
from models.hall import HallConfig, HallSettings, default_hall_path, read_hall_file
from models.supervision.cases import CaseView
from models.views.ticket import TicketView
from models.workdays import add_workdays
from printer.documents import receipt_blocks, receipt_qr, ticket_blocks, ticket_qr
from printer.layout import Align, Block
from printer.render import FONT_A_DOTS, PAPER_DOTS, PrinterSpec, TextMode, render

TARGET_BYTES = 1024
TARGET_SEND_S = 1.1
TARGET_P99_MS = 5.0
TARGET_RASTER_BYTES = 16 * 1024
BAUD = 9600
BITS_PER_BYTE = 10
"""8N1 on the wire: a start bit, 8 data bits, a stop bit."""

PROFILE_80 = "TM-T88V"
PROFILE_58_IMAGE_QR = "POS-5890"
FALLBACK_58 = "TM-T20II"
"""An 80 mm printer with native QR that also takes 58 mm rolls."""
RECEIPT_ITEM = "A01"
"""不动产转移登记, promised in 5 working days."""

GB_NAME = "马上办".encode("gb18030")
GB_NUMBER = b"M023"
RASTER = b"\x1dv0"
"""GS v 0: a raster bit image."""
NATIVE_QR = b"\x1d(k"
"""GS ( k: the printer's own QR command."""

Document = Literal["ticket", "receipt"]


class SelfCheckFailed(RuntimeError):
    """The rendered bytes are not the document the benchmark means to time."""


@dataclass(frozen=True)
class Setup:
    """One document on one printer."""

    document: Document
    profile: str
    paper_mm: int
    mode: TextMode
    image_qr: bool = False

    @property
    def spec(self) -> PrinterSpec:
        return PrinterSpec(self.profile, self.paper_mm, self.mode, "gbk")

    @property
    def label(self) -> str:
        return f"{self.document} {self.paper_mm} mm {self.profile} {self.mode}"


@dataclass(frozen=True)
class Line:
    """One line of the floor's naive ticket."""

    text: str
    size: int = 1
    bold: bool = False
    align: Align = "center"


FloorItem = Line | str
"""A text line, or a QR payload."""


def native_qr_58() -> str:
    """The first python-escpos profile for 58 mm paper (384 dots) with native QR."""
    for name in sorted(capabilities.CAPABILITIES["profiles"]):
        profile = capabilities.get_profile(name)
        width = profile.profile_data["media"]["width"].get("pixels")
        if width == PAPER_DOTS[58] and profile.supports("qrCode"):
            return name
    return FALLBACK_58


def kiosk_ticket() -> TicketView:
    """M023 in queue M (马上办), just taken at the kiosk."""
    return TicketView(
        number="M023",
        queue="M",
        queue_name_zh="马上办",
        queue_name_en="Instant service",
        item=None,
        priority="normal",
        status="waiting",
        ahead=12,
        eta_minutes=60,
        window=None,
        business_date=NOW.date().isoformat(),
        issued_at="2026-11-25T10:00:00+08:00",
        called_at=None,
        token="3f9c0a7d51b2e846",
        misses=0,
        recalls=0,
    )


def counter_receipt(config: HallConfig) -> CaseView:
    """A real-estate transfer accepted at window 3, promised in 5 working days."""
    item = next(i for i in config.item if i.code == RECEIPT_ITEM)
    promised, provisional = add_workdays(NOW.date(), item.promised_days)
    return CaseView(
        case_number=f"{NOW:%Y%m%d}-0007",
        number="A015",
        item=item.code,
        item_zh=item.name_zh,
        item_en=item.name_en,
        window=3,
        clerk="2003",
        accepted_at=dt.datetime(2026, 11, 25, 10, 20, tzinfo=CST),
        promised_date=promised,
        provisional=provisional,
        pickup_code="482913",
        state="accepted",
    )


def _workdays(config: HallConfig) -> int:
    return next(i.promised_days for i in config.item if i.code == RECEIPT_ITEM)


def _rule(paper_mm: int) -> Line:
    return Line("-" * (PAPER_DOTS[paper_mm] // FONT_A_DOTS))


def floor_ticket(view: TicketView, settings: HallSettings, paper_mm: int) -> list[FloorItem]:
    """The kiosk ticket's lines in English only, for the naive floor."""
    issued = dt.datetime.fromisoformat(view.issued_at)
    return [
        Line(settings.name_en, bold=True),
        _rule(paper_mm),
        Line(view.queue_name_en, size=2, bold=True),
        Line(f"Queue {view.queue}"),
        Line(view.number, size=6 if paper_mm >= 80 else 4, bold=True),
        Line(f"{view.ahead} ahead of you"),
        Line(f"about {view.eta_minutes} min"),
        Line(f"{issued:%Y-%m-%d %H:%M} {issued:%a}"),
        ticket_qr(view.token),
        Line("Please listen for your number"),
        Line("One door, one visit at most"),
    ]


def floor_receipt(case: CaseView, settings: HallSettings) -> list[FloorItem]:
    """The receipt's lines in English only, for the naive floor."""
    promised = f"{case.promised_date:%Y-%m-%d}" if case.promised_date else "-"
    return [
        Line(settings.name_en, bold=True),
        Line("Receipt", size=2, bold=True),
        _rule(80),
        Line(f"Case: {case.case_number}", align="left"),
        Line(f"Item: {case.item}", align="left"),
        Line(case.item_en, align="left"),
        Line(f"Window: {case.window}   Clerk: {case.clerk}", align="left"),
        Line(f"Accepted: {case.accepted_at:%Y-%m-%d %H:%M}", align="left"),
        Line(f"Ready by: {promised}", bold=True, align="left"),
        Line(f"Pickup code: {case.pickup_code}", size=2, bold=True),
        Line("Collect at the pickup window"),
        _rule(80),
        receipt_qr(case),
        Line("One door, one visit at most"),
    ]


def naive(profile: str, items: list[FloorItem]) -> bytes:
    """python-escpos the naive way: set() + text() per line, its own native QR, cut()."""
    printer = Dummy(profile=profile)
    for item in items:
        if isinstance(item, str):
            printer.set(align="center")
            printer.qr(item, native=True)
        elif item.size > 1:
            printer.set(align=item.align, bold=item.bold, custom_size=True, width=item.size,
                        height=item.size)  # fmt: skip
            printer.text(item.text + "\n")
        else:
            printer.set(align=item.align, bold=item.bold, normal_textsize=True)
            printer.text(item.text + "\n")
    printer.cut()
    return bytes(printer.output)


def send_seconds(size: int) -> float:
    """Time on the wire at 9,600 baud."""
    return size * BITS_PER_BYTE / BAUD


def self_check(outputs: dict[Setup, bytes]) -> list[str]:
    """Raise SelfCheckFailed unless the bytes are the documents meant; what was checked."""
    problems = []
    for setup, out in outputs.items():
        if setup.document != "ticket":
            continue
        if setup.mode == "native":
            missing = [repr(s) for s in (GB_NAME, GB_NUMBER) if s not in out]
            if missing:
                problems.append(f"{setup.label}: no {', '.join(missing)} (GB18030 text)")
            if not setup.image_qr and NATIVE_QR not in out:
                problems.append(f"{setup.label}: no GS ( k (native QR)")
            if setup.image_qr and RASTER not in out:
                problems.append(f"{setup.label}: no GS v 0 (the QR image)")
        elif RASTER not in out:
            problems.append(f"{setup.label}: no GS v 0 image")
        elif GB_NAME in out:
            problems.append(f"{setup.label}: GB18030 text in a raster ticket")
    if problems:
        raise SelfCheckFailed("print self-check failed: " + "; ".join(problems))
    return [
        f"self-check passed: native tickets carry 马上办 as GB18030 ({GB_NAME.hex(' ')}) and "
        "M023, and GS ( k on native-QR printers; raster tickets carry GS v 0 images and no "
        "GB18030 text"
    ]


def _time(jobs: dict[str, Callable[[], bytes]], rounds: int, warmup: int) -> dict[str, Latency]:
    """Round-robin over the jobs, one render each per round, product and floor alike."""
    for _ in range(warmup):
        for job in jobs.values():
            job()
    gc.collect()  # the first full collection after start-up is not the renderer's to pay
    samples: dict[str, list[float]] = {key: [] for key in jobs}
    for _ in range(rounds):
        for key, job in jobs.items():
            start = time.perf_counter()
            job()
            samples[key].append(time.perf_counter() - start)
    return {key: Latency.of(values) for key, values in samples.items()}


def _rows(
    setup: Setup, out: bytes, lat: Latency, floor: bytes, floor_lat: Latency, targets: bool
) -> list[Row]:
    info = "" if targets else "info, QR image" if setup.image_qr else "info"
    bytes_target = send_target = p99_target = info
    if targets and setup.mode == "native":
        bytes_target = f"≤ {TARGET_BYTES:,} B"
        send_target = f"< {TARGET_SEND_S:g} s"
        p99_target = f"< {TARGET_P99_MS:g} ms"
    elif targets:
        bytes_target = f"≤ {TARGET_RASTER_BYTES // 1024} KB"
    label = setup.label
    return [
        Row(f"{label}, bytes", len(out), len(floor), "bytes", bytes_target, digits=0),
        Row(f"{label}, send {BAUD:,} baud", send_seconds(len(out)), send_seconds(len(floor)),
            "s", send_target, digits=3),
        Row(f"{label}, render p50", lat.p50, floor_lat.p50, "ms", info),
        Row(f"{label}, render p99", lat.p99, floor_lat.p99, "ms", p99_target),
    ]  # fmt: skip


def run(sizes: Sizes) -> Result:
    """Bytes and render time of the kiosk ticket and the receipt against the naive floor."""
    config, _ = read_hall_file(default_hall_path())
    settings = config.hall
    view, case = kiosk_ticket(), counter_receipt(config)
    p58 = native_qr_58()
    t80, r80 = Setup("ticket", PROFILE_80, 80, "native"), Setup("ticket", PROFILE_80, 80, "raster")
    t58, t58_image = (
        Setup("ticket", p58, 58, "native"),
        Setup("ticket", PROFILE_58_IMAGE_QR, 58, "native", image_qr=True),
    )
    setups = [
        t80,
        r80,
        t58,
        Setup("ticket", p58, 58, "raster"),
        t58_image,
        Setup("ticket", PROFILE_58_IMAGE_QR, 58, "raster", image_qr=True),
        Setup("receipt", PROFILE_80, 80, "native"),
    ]
    floors: dict[str, tuple[str, list[FloorItem]]] = {
        "ticket 80": (PROFILE_80, floor_ticket(view, settings, 80)),
        "ticket 58": (p58, floor_ticket(view, settings, 58)),
        "receipt 80": (PROFILE_80, floor_receipt(case, settings)),
    }

    def floor_of(setup: Setup) -> str:
        return f"{setup.document} {setup.paper_mm}"

    def product_job(setup: Setup) -> Callable[[], bytes]:
        def job() -> bytes:
            if setup.document == "ticket":
                blocks: list[Block] = ticket_blocks(view, settings, paper_mm=setup.paper_mm)
            else:
                blocks = receipt_blocks(case, settings)
            return render(blocks, setup.spec)

        return job

    def floor_job(profile: str, items: list[FloorItem]) -> Callable[[], bytes]:
        return lambda: naive(profile, items)

    jobs: dict[str, Callable[[], bytes]] = {s.label: product_job(s) for s in setups}
    jobs |= {f"floor {k}": floor_job(*v) for k, v in floors.items()}
    outputs = {s: jobs[s.label]() for s in setups}
    floor_out = {k: jobs[f"floor {k}"]() for k in floors}
    checked = self_check(outputs)
    load_before = os.getloadavg()[0]
    latency = _time(jobs, sizes.renders, sizes.render_warmup)
    load_after = os.getloadavg()[0]

    rows: list[Row] = []
    for s in setups:
        key = floor_of(s)
        judged = s.profile == PROFILE_80 and s.document == "ticket"
        rows += _rows(s, outputs[s], latency[s.label], floor_out[key], latency[f"floor {key}"],
                      judged)  # fmt: skip

    n80, lat80, n_raster = len(outputs[t80]), latency[t80.label], len(outputs[r80])
    f80, f80_lat = len(floor_out["ticket 80"]), latency["floor ticket 80"]
    n58, n58_image = len(outputs[t58]), len(outputs[t58_image])
    notes = [
        f"{sizes.renders} renders of each of the {len(jobs)} documents after "
        f"{sizes.render_warmup} warm-up rounds, round-robin one by one (product and floor "
        "interleaved); each render makes its own Dummy, as the spooler does; 1-min load "
        f"average {load_before:.2f} before, {load_after:.2f} after, on {os.cpu_count()} cores "
        "(the p99 of a few-ms render is the first figure other busy processes spoil)",
        f"floor: python-escpos {escpos.__version__} Dummy on the same profile, "
        "the naive way: set(align, bold, custom_size/width/height) + text() for the same lines "
        "in English only, qr(payload, native=True), cut(); the 58 mm rows share the "
        f"{p58} floor; raster rows are against the same text floor",
        f"58 mm with native QR: {p58} (first python-escpos profile 384 dots wide with qrCode); "
        f"{PROFILE_58_IMAGE_QR} has no native QR, so its QR is a GS v 0 image: its native "
        f"ticket is {n58_image:,} bytes, {n58_image / n58:.1f}× the {p58} one ({n58:,} bytes), "
        f"{send_seconds(n58_image):.2f} s at 9,600 baud (information, no target)",
        f"send time = bytes × {BITS_PER_BYTE} bits (8N1) / {BAUD:,} baud, no flow-control pauses",
        f"receipt: case {case.case_number}, {case.item} {case.item_zh}, promised "
        f"{case.promised_date} ({_workdays(config)} working days after {NOW.date()}); the "
        f"targets are judged on the 80 mm {PROFILE_80} kiosk ticket only",
        *checked,
    ]
    verdicts = [
        Verdict(
            "print bytes",
            n80 <= TARGET_BYTES and send_seconds(n80) < TARGET_SEND_S,
            f"native kiosk ticket on 80 mm {PROFILE_80} (native QR) {n80:,} bytes (target ≤ "
            f"{TARGET_BYTES:,}), {send_seconds(n80):.2f} s at 9,600 baud (target < "
            f"{TARGET_SEND_S:g} s); naive python-escpos floor {f80:,} bytes ({n80 / f80:.2f}×)",
        ),
        Verdict(
            "print time",
            lat80.p99 < TARGET_P99_MS,
            f"native kiosk ticket on 80 mm {PROFILE_80} render p99 {lat80.p99:.2f} ms (target < "
            f"{TARGET_P99_MS:g} ms; p50 {lat80.p50:.2f} ms); floor p99 {f80_lat.p99:.2f} ms "
            f"({lat80.p99 / f80_lat.p99:.1f}×)",
        ),
        Verdict(
            "print raster",
            n_raster <= TARGET_RASTER_BYTES,
            f"raster kiosk ticket on 80 mm {PROFILE_80} {n_raster:,} bytes = "
            f"{n_raster / 1024:.1f} KB (target ≤ {TARGET_RASTER_BYTES // 1024} KB), "
            f"{send_seconds(n_raster):.1f} s at 9,600 baud",
        ),
    ]
    return Result(
        "print",
        "5 · print the kiosk ticket and the receipt (ESC/POS bytes, no printer)",
        rows,
        notes,
        verdicts,
        floor="escpos Dummy",
    )

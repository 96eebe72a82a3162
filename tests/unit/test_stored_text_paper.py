"""Names written straight into the database (past the hall file's checks) reach paper as
text: a queue, item or hall name holding ESC/POS commands (GS V cuts the paper, ESC @ resets
the printer) prints them visibly instead of sending them to the printer."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from sqlalchemy import text
from sqlmodel import select

from models.db import reading
from models.hall import hall_config
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.tables import Case
from printer.layout import Text
from printer.preview import preview
from printer.render import PrinterSpec, render
from printer.spooler import render_receipt, render_ticket
from tests.conftest import NOW, open_window
from tests.support.escpos_decode import decode

CUT_NOW = "\x1d\x56\x01"
"""GS V 1: cut the paper here (GS V 0 too, but PostgreSQL text cannot hold NUL)."""
HOSTILE = f"恶意{CUT_NOW}\x1b@\x1c.\x1b[2J\x07尾"
"""A full cut, a printer reset, Chinese mode off, a terminal clear and a bell."""
COMMAND_BYTES = (b"\x1dV\x01", b"\x1b@\x1c.", b"\x1b[2J", b"\x07")


def _poison(engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), {"v": HOSTILE})


def _assert_printed_as_text(data: bytes) -> None:
    for command in COMMAND_BYTES:
        assert command not in data, command
    page = decode(data)  # raises on a stray control byte
    assert page.cuts == 1  # the document's own cut, at its end only
    assert page.commands[-1].name.startswith("GS V")
    assert "恶意\\x1dV\\x01\\x1b@\\x1c.\\x1b[2J\\x07尾" in page.text


def test_a_poisoned_queue_name_prints_as_text_on_the_ticket(engine) -> None:
    _poison(engine, "UPDATE queue SET name_zh = :v, name_en = :v WHERE prefix = 'M'")
    ticket = take_ticket(engine, queue="M", now=NOW)
    with reading(engine) as session:
        printer = hall_config(session).printer[0]
        ticket_id = session.execute(
            text("SELECT id FROM ticket WHERE number = :n"), {"n": ticket.number}
        ).scalar_one()
        data = render_ticket(session, ticket_id, printer)
    _assert_printed_as_text(data)


def test_a_poisoned_item_name_prints_as_text_on_the_receipt(engine) -> None:
    _poison(engine, "UPDATE service_item SET name_zh = :v, name_en = :v WHERE code = 'A01'")
    open_window(engine, 1)
    take_ticket(engine, item="A01", now=NOW)
    call_next(engine, window=1, now=NOW)
    finish(engine, window=1, now=NOW)
    with reading(engine) as session:
        printer = hall_config(session).printer[0]
        case = session.exec(select(Case)).one()
        assert case.id is not None
        data = render_receipt(session, case.id, printer)
    _assert_printed_as_text(data)


def test_raster_mode_and_the_on_screen_preview_show_the_commands_as_text() -> None:
    blocks = [Text(HOSTILE)]
    page = decode(render(blocks, PrinterSpec("TM-T88V", text_mode="raster")))
    assert page.images and page.cuts == 1 and not page.text.strip()  # pictures, one cut
    out = StringIO()
    Console(file=out, width=80, color_system=None).print(preview(blocks))
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x1d" not in shown and "\x07" not in shown
    assert "\\x1dV\\x01" in shown

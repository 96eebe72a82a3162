"""With the hall's public_url set, the QR on the kiosk's screen opens the ticket's live page."""

from __future__ import annotations

from sqlalchemy import Engine
from textual.pilot import Pilot

from models.hall import default_hall_path, parse_hall, store_hall
from printer.preview import qr_blocks
from tests.support.kiosk_pilot import connected, drive, kiosk, walk_in


def test_the_screen_qr_carries_the_pages_address(lite: Engine) -> None:
    text = default_hall_path().read_text(encoding="utf-8")
    text = text.replace("\n[hall]\n", '\n[hall]\npublic_url = "https://queue.example.cn"\n', 1)
    store_hall(lite, parse_hall(text), text)
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await connected(pilot)
        screen = await walk_in(pilot, "M")
        assert screen.qr == qr_blocks(f"https://queue.example.cn/t/{screen.view.token}")

    drive(app, scenario)


def test_without_one_the_screen_qr_is_the_token(lite: Engine) -> None:
    app = kiosk(lite)

    async def scenario(pilot: Pilot[None]) -> None:
        await connected(pilot)
        screen = await walk_in(pilot, "M")
        assert screen.qr == qr_blocks(f"MSB:T:{screen.view.token}")

    drive(app, scenario)

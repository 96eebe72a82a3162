"""Draw docs/status.svg: `mashangban status` on a busy morning in the default hall.

Run with `.venv/bin/python docs/screenshot.py`; it works on a throwaway database.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from rich.console import Console


def main() -> None:
    """Fill a temporary hall, then record the status command's output as SVG."""
    os.environ["MASHANGBAN_NOW"] = "2026-11-25T10:20:00+08:00"
    from mashangban import output
    from models.clerks import staff
    from models.db import make_engine
    from models.hall import default_hall_path, read_hall_file, store_hall
    from models.queue import calling, serving
    from models.queue.tickets import take_ticket
    from models.schema import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        engine = make_engine(url)
        upgrade(engine)
        store_hall(engine, *read_hall_file(default_hall_path()))
        start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        for n in range(40):
            queue = "MMMACCBDMA"[n % 10]
            green = "green" if n % 13 == 5 else "normal"
            take_ticket(engine, queue=queue, priority=green, now=start + dt.timedelta(minutes=n))
        for code, name, window in [
            ("1001", "王芳", 18),
            ("1002", "李明", 19),
            ("1003", "张伟", 1),
            ("1004", "刘洋", 9),
            ("1005", "陈静", 5),
        ]:
            staff.add_clerk(engine, code=code, name=name, pin="246813")
            staff.login(engine, window=window, clerk=code, pin="246813")
        moment = start + dt.timedelta(minutes=45)
        for window in (18, 19, 1, 9):
            calling.call_next(engine, window=window, now=moment)
        serving.start(engine, window=18, now=moment)
        serving.start(engine, window=1, now=moment)
        staff.pause(engine, window=5, reason="meeting", now=moment)
        engine.dispose()

        recorder = Console(record=True, width=110, highlight=False)
        output.console = recorder
        from mashangban import desk

        desk.console = recorder
        from typer.testing import CliRunner

        from mashangban import app

        result = CliRunner().invoke(app, ["--db", url, "status"])
        assert result.exit_code == 0, result.stderr
        target = Path(__file__).parent / "status.svg"
        recorder.save_svg(str(target), title="mashangban status")
        # A monospace font whose Chinese glyphs are exactly two cells wide keeps the columns.
        svg = target.read_text("utf-8").replace(
            "font-family: Fira Code, monospace",
            'font-family: "WenQuanYi Zen Hei Mono", "Noto Sans Mono CJK SC", monospace',
        )
        target.write_text(svg, "utf-8")
        print(f"wrote {target}")
        try:
            import cairosvg  # type: ignore[import-not-found]  # optional, for the PNG only
        except ImportError:
            return
        cairosvg.svg2png(url=str(target), write_to=str(target.with_suffix(".png")))
        print(f"wrote {target.with_suffix('.png')}")


if __name__ == "__main__":
    main()

"""Draw docs/status.png: `mashangban status` on a busy morning, in an 80-column terminal.

Run with `.venv/bin/python docs/screenshot.py` (needs cairosvg: see docs/shots.py); it works on
a throwaway database.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rich.console import Console
from shots import MORNING, busy_morning, svg_to_png


def main() -> None:
    """Fill a temporary hall, then record the status command's output as SVG."""
    os.environ["MASHANGBAN_NOW"] = MORNING.isoformat()
    from mashangban import output

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        busy_morning(url)
        recorder = Console(record=True, width=80, highlight=False)
        output.console = recorder
        from mashangban import desk

        desk.console = recorder
        from typer.testing import CliRunner

        from mashangban import app

        result = CliRunner().invoke(app, ["--db", url, "status"])
        assert result.exit_code == 0, result.stderr
        target = Path(__file__).parent / "status.svg"
        recorder.save_svg(str(target), title="mashangban status")
    svg_to_png(target)


if __name__ == "__main__":
    main()

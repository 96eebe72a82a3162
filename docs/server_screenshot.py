"""Draw docs/server-ticket.png and docs/server-board.png: the citizen's page on a phone and the
browser board on a TV, from `mashangban serve` on a throwaway database, shot with Debian's
headless chromium (`make system-deps` installs it).

Run with `.venv/bin/python docs/server_screenshot.py`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
NOW = "2026-11-25T10:20:00+08:00"


def main() -> None:
    """A hall with clerks at windows 18 and 19, a few tickets and calls; the two pages shot."""
    from models import secret
    from tests.support.webserver import WebServer, chromium, mashangban

    with tempfile.TemporaryDirectory() as folder:
        os.environ["MASHANGBAN_KEY_FILE"] = str(Path(folder) / "hall.key")
        os.environ["MASHANGBAN_WITNESS"] = str(Path(folder) / "witness.log")
        os.environ["MASHANGBAN_PREVIEW_DIR"] = str(Path(folder) / "preview")
        secret.create_key(Path(os.environ["MASHANGBAN_KEY_FILE"]))
        db = str(Path(folder) / "hall.db")

        def run(*args: str) -> dict[str, str]:
            found: dict[str, str] = json.loads(mashangban(db, *args, "--json", now=NOW).stdout)
            return found

        mashangban(db, "init", now=NOW)
        for clerk, window in (("1001", "18"), ("1002", "19")):
            mashangban(db, "clerk", "add", clerk, "--name", "王芳", "--pin", "246813", now=NOW)
            mashangban(
                db, "login", "--window", window, "--clerk", clerk, "--pin", "246813", now=NOW
            )
        tickets = [run("take", "M") for _ in range(5)]
        run("take", "--item", "M01")
        for queue in "ABCD":
            run("take", queue)
        run("call", "--window", "18")
        run("no-show", "--window", "18")
        run("call", "--window", "18")
        run("call", "--window", "19")
        server = WebServer(db, now=NOW, log=Path(folder) / "server.log")
        server.start()
        browser = chromium()
        try:
            for name, path, size in (
                ("server-ticket", f"/t/{tickets[2]['token']}", (412, 780)),
                ("server-board", "/board", (1280, 720)),
            ):
                browser.set_window_size(*size)
                browser.get(server.url + path)
                time.sleep(1.0)
                browser.save_screenshot(str(HERE / f"{name}.png"))
        finally:
            browser.quit()
            server.stop()


if __name__ == "__main__":
    main()

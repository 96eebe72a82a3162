"""The hall server in a subprocess (``mashangban serve`` on a free loopback port) and Debian's
chromium, headless, driven by selenium through Debian's chromium-driver (nothing downloads a
browser: `make system-deps` installs both)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.support.waiting import WAIT_S, wait_for

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def mashangban_env(now: str) -> dict[str, str]:
    """The environment of a `mashangban` child: this checkout, the tests' moment."""
    env = {**os.environ, "MASHANGBAN_NOW": now, "PYTHONPATH": str(ROOT)}
    env.pop("MASHANGBAN_DB", None)
    return env


def mashangban(db: str, *args: str, now: str) -> subprocess.CompletedProcess[str]:
    """Run `mashangban --db DB ARGS` as a hall's clerk would, from the command line."""
    return subprocess.run(
        [sys.executable, "-m", "mashangban", "--db", db, *args],
        cwd=ROOT,
        env=mashangban_env(now),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


class WebServer:
    """`mashangban serve` in a child process, stopped and started again at will."""

    def __init__(self, db: str, *, now: str, log: Path) -> None:
        self.db = db
        self.now = now
        self.port = free_port()
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = ["-m", "mashangban", "--db", self.db, "serve", "--port", str(self.port)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, *command],
                cwd=ROOT,
                env=mashangban_env(self.now),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(self.healthy, f"the server on port {self.port} to answer")

    def healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the server exited: {self.log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


def chromium() -> Any:
    """A headless chromium under selenium (Debian's binary and driver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # the tests run as root in CI
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=412,915",  # a small phone
        "--lang=zh-CN",
        "--autoplay-policy=no-user-gesture-required",  # as on the hall's TV (README)
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver


def timed(condition: Any, *, what: str, timeout: float = WAIT_S) -> float:
    """Seconds until ``condition()`` held (AssertionError at the deadline)."""
    began = time.monotonic()
    wait_for(condition, what, timeout=timeout)
    return time.monotonic() - began

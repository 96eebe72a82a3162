"""`mashangban serve` refuses, in both languages and before it starts, what cannot work."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from mashangban import app

runner = CliRunner()


def test_serve_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "new.db"), "serve"])
    assert result.exit_code == 1
    assert "mashangban init" in result.output and "Traceback" not in result.output


def test_serve_refuses_a_port_in_use(sqlite_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["--db", sqlite_url, "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"无法在 127.0.0.1:{port} 上监听" in result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_a_host_that_is_not_this_one(sqlite_url: str) -> None:
    result = runner.invoke(app, ["--db", sqlite_url, "serve", "--host", "203.0.113.7"])
    assert result.exit_code == 1 and "cannot listen on 203.0.113.7:8080" in result.output

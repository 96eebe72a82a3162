"""Hall files that are too big, too deep, out of range, saved with a BOM, or whose file printer
would write over the database: refused clearly (exit 1 from the command), or accepted."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mashangban import app
from models.db import reading
from models.errors import HallError
from models.hall import hall_settings, parse_hall, read_hall_file, store_hall
from tests.unit.test_hall import BASE, write

runner = CliRunner()

PRINTER = """
[[printer]]
name = "p1"
kind = "{kind}"
address = "{address}"
"""


def refused(text: str, tmp_path: Path) -> HallError:
    with pytest.raises(HallError) as info:
        read_hall_file(write(tmp_path, text))
    return info.value


def test_a_file_saved_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    config, text = read_hall_file(path)
    assert config.hall.name_zh == "测试大厅" and not text.startswith("\ufeff")


def test_a_file_over_the_size_limit_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    err = refused(BASE + "#" * (2 * 1024 * 1024) + "\n", tmp_path)
    assert err.key == "hall_too_big"
    assert "太大" in err.zh and "at most 1024 KB" in err.en


@pytest.mark.parametrize("depth", [60, 100_000])
def test_deeply_nested_arrays_are_refused(tmp_path: Path, depth: int) -> None:
    err = refused(BASE + "\n[extra]\nx = " + "[" * depth + "]" * depth + "\n", tmp_path)
    assert err.key == "hall_too_deep"
    assert "嵌套过深" in err.zh and "nests too deeply" in err.en


def test_the_cli_refuses_a_deep_file_with_exit_1(tmp_path: Path) -> None:
    path = write(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = runner.invoke(app, ["--db", str(tmp_path / "h.db"), "init", "--hall", str(path)])
    assert result.exit_code == 1, result.output
    assert "nests too deeply" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "detail"),
    [
        ('"13:00-17:00"', '"08:00-24:59"', "24:00"),
        ('"13:00-17:00"', '"13:00-24:00"', None),
        ("", PRINTER.format(kind="network", address="10.0.0.5:70000"), "port 70000"),
        ("", PRINTER.format(kind="network", address="10.0.0.5:0"), "port 0"),
        ("", PRINTER.format(kind="network", address="10.0.0.5:9100"), None),
        ("", PRINTER.format(kind="file", address="/tmp/x\\u001b[2J"), "does not fit"),
    ],
    ids=["24:59", "24:00", "port-70000", "port-0", "port-9100", "file-escape"],
)
def test_hours_and_ports_in_range(old: str, new: str, detail: str | None) -> None:
    text = BASE.replace(old, new, 1) if old else BASE + new
    if detail is None:
        parse_hall(text)
        return
    with pytest.raises(HallError) as info:
        parse_hall(text)
    assert info.value.key == "hall_field" and detail in info.value.en


def _file_printer_hall(address: str) -> str:
    return BASE + PRINTER.format(kind="file", address=address)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_file_printer_cannot_point_at_the_database(
    lite: Engine, suffix: str, tmp_path: Path
) -> None:
    database = lite.url.database
    assert database
    before = hall_settings_name(lite)
    config = parse_hall(_file_printer_hall(database + suffix))
    with pytest.raises(HallError) as info:
        store_hall(lite, config, "")
    assert "printer[0].address" in info.value.en and "database" in info.value.en
    assert hall_settings_name(lite) == before  # nothing stored
    assert Path(database).stat().st_size > 0


def test_a_file_printer_cannot_be_a_folder_or_a_socket(lite: Engine, tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    try:
        for address in (str(tmp_path), str(tmp_path / "sock")):
            with pytest.raises(HallError) as info:
                store_hall(lite, parse_hall(_file_printer_hall(address)), "")
            assert "not a file, a device or a pipe" in info.value.en
    finally:
        sock.close()


def test_a_file_printer_may_be_a_new_file_or_a_device(lite: Engine, tmp_path: Path) -> None:
    store_hall(lite, parse_hall(_file_printer_hall(str(tmp_path / "tickets.bin"))), BASE)
    store_hall(lite, parse_hall(_file_printer_hall("/dev/null")), BASE)
    os.mkfifo(tmp_path / "pipe")  # to a print daemon: written within the printer's deadline
    store_hall(lite, parse_hall(_file_printer_hall(str(tmp_path / "pipe"))), BASE)
    assert hall_settings_name(lite) == "测试大厅"


def hall_settings_name(engine: Engine) -> str:
    with reading(engine) as session:
        return hall_settings(session).name_zh
